#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A lock around a value with `Synchronization.Mutex`'s shape (`init`,
/// `withLock`), built on `pthread_mutex_t`.
///
/// Why not `Mutex`: on Linux, `Mutex` locks with raw futex system calls,
/// which ThreadSanitizer does not intercept, so it sees no ordering between
/// two threads taking the same lock and reports every access to the guarded
/// value as a race. `pthread_mutex_lock` is intercepted: under this lock
/// ThreadSanitizer reports only real races (`make tsan-probe` shows all
/// three cases with the toolchain at hand).
package struct ThreadLock<Value: ~Copyable>: ~Copyable {
    // Both on the heap: a pthread mutex must not move once initialised, and
    // `withLock` is `borrowing` yet changes the value.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    package init(_ initialValue: consuming sending Value) {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        value = .allocate(capacity: 1)
        value.initialize(to: initialValue)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, the lock held.
    package borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}

// Safe to share: the value is reached only through `withLock`, which holds
// the mutex, and it only ever enters through `sending` (as with `Mutex`).
extension ThreadLock: @unchecked Sendable where Value: ~Copyable {}
