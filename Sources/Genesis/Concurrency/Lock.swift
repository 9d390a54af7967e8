import Synchronization

#if GENESIS_THREAD_SANITIZER
/// The package's lock around a value. Under ThreadSanitizer (`make tsan`
/// builds with `-DGENESIS_THREAD_SANITIZER`) it is a ``ThreadLock``, whose
/// pthread mutex TSan understands, so only real races are reported.
package typealias Lock<Value: ~Copyable> = ThreadLock<Value>

extension ThreadLock where Value: ~Copyable {
    /// Takes and drops the lock, for a task that was just resumed by a
    /// continuation from the engine's loop thread. The resume orders the
    /// loop thread's writes before the task's reads, but ThreadSanitizer on
    /// Linux does not see that edge (`make tsan-probe`'s `continuation`
    /// case): an object built on the loop thread and read by the resumed
    /// task is reported as a race. The loop thread always updates this
    /// lock's state before it resumes, so acquiring it here gives TSan the
    /// edge. Only in TSan builds.
    package borrowing func observeHandOff() {
        withLock { _ in }
    }
}
#else
/// The package's lock around a value: `Synchronization.Mutex` (a futex, no
/// allocation). ThreadSanitizer cannot see a futex's ordering, so
/// TSan builds swap in ``ThreadLock``, which has the same shape.
package typealias Lock<Value: ~Copyable> = Mutex<Value>

extension Mutex where Value: ~Copyable {
    /// Nothing outside TSan builds (see the ThreadLock version).
    @inline(__always)
    package borrowing func observeHandOff() {}
}
#endif
