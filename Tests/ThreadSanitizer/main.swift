import Synchronization

// ThreadSanitizer and Genesis' locks, three cases (`make tsan-probe`):
//   mutex       Synchronization.Mutex guarding a counter: correct code, yet
//               reported on Linux (the futex calls are invisible to TSan);
//   threadlock  the same with ThreadLock: must not be reported;
//   race        an unguarded counter: must be reported (the probe can fail).
// Each mode ends by printing the counter, which is always 80000 for the
// two locks.

final class MutexCounter: Sendable {
    let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var current: Int { value.withLock { $0 } }
}

final class ThreadLockCounter: Sendable {
    let value = ThreadLock(0)
    func increment() { value.withLock { $0 += 1 } }
    var current: Int { value.withLock { $0 } }
}

// Deliberately unsafe: this case exists to show that a real race is caught.
final class RacyCounter: @unchecked Sendable {
    var value = 0
    func increment() { value += 1 }
    var current: Int { value }
}

func hammer(_ increment: @escaping @Sendable () -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<8 {
            group.addTask { for _ in 0..<10_000 { increment() } }
        }
    }
}

switch CommandLine.arguments.dropFirst().first {
case "mutex":
    let counter = MutexCounter()
    await hammer { counter.increment() }
    print(counter.current)
case "threadlock":
    let counter = ThreadLockCounter()
    await hammer { counter.increment() }
    print(counter.current)
case "race":
    let counter = RacyCounter()
    await hammer { counter.increment() }
    print(counter.current)
default:
    print("usage: lock_probe mutex|threadlock|race")
}
