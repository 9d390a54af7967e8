import Synchronization

#if GENESIS_THREAD_SANITIZER
/// The package's lock around a value. Under ThreadSanitizer (`make tsan`
/// builds with `-DGENESIS_THREAD_SANITIZER`) it is a ``ThreadLock``, whose
/// pthread mutex TSan understands, so only real races are reported.
package typealias Lock<Value: ~Copyable> = ThreadLock<Value>
#else
/// The package's lock around a value: `Synchronization.Mutex` (a futex, no
/// allocation). ThreadSanitizer cannot see a futex's ordering, so
/// TSan builds swap in ``ThreadLock``, which has the same shape.
package typealias Lock<Value: ~Copyable> = Mutex<Value>
#endif
