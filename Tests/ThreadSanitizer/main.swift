#if canImport(Glibc)
import Glibc
#endif
import Synchronization

// ThreadSanitizer and Genesis' locks, five cases (`make tsan-probe`):
//   mutex       Synchronization.Mutex guarding a counter: correct code, yet
//               reported on Linux (the futex calls are invisible to TSan);
//   threadlock  the same with ThreadLock: must not be reported;
//   race        an unguarded counter: must be reported (the probe can fail);
//   continuation  an object built on a plain thread (as the engine's loop
//               thread builds replies and events) and handed to a task by
//               resuming a continuation: correct, yet reported on Linux (TSan
//               does not see the resume's ordering);
//   handoff     the same, the thread updating a ThreadLock before resuming
//               and the task calling observeHandOff(): must not be reported.
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

/// Built on a plain thread, read by the resumed task.
final class Parcel {
    var value: Int
    init(_ value: Int) { self.value = value }
}

/// Receives 200 parcels, each built on a new plain thread that resumes the
/// waiting task; with `observing`, the thread first updates `handOff` and
/// the task then calls `handOff.lock.observeHandOff()`.
func receiveParcels(observing: Bool) async -> Int {
    let handOff = HandOffLock()
    var total = 0
    for _ in 0..<200 {
        let parcel: Parcel = await withCheckedContinuation { continuation in
            let sender = ParcelSender(continuation: continuation, handOff: handOff, observing: observing)
            var thread = pthread_t()
            pthread_create(&thread, nil, { raw in
                let sender = Unmanaged<ParcelSender>.fromOpaque(raw!).takeRetainedValue()
                let parcel = Parcel(1)
                if sender.observing { sender.handOff.lock.withLock { $0 += 1 } }
                sender.continuation.resume(returning: parcel)
                return nil
            }, Unmanaged.passRetained(sender).toOpaque())
            pthread_detach(thread)
        }
        if observing { handOff.lock.observeHandOff() }
        total += parcel.value
    }
    return total
}

final class HandOffLock: Sendable {
    let lock = ThreadLock(0)
}

// Safe: built before the thread starts (pthread_create orders it), then
// only read there.
final class ParcelSender: @unchecked Sendable {
    let continuation: CheckedContinuation<Parcel, Never>
    let handOff: HandOffLock
    let observing: Bool

    init(continuation: CheckedContinuation<Parcel, Never>, handOff: HandOffLock, observing: Bool) {
        self.continuation = continuation
        self.handOff = handOff
        self.observing = observing
    }
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
case "continuation":
    print(await receiveParcels(observing: false))
case "handoff":
    print(await receiveParcels(observing: true))
default:
    print("usage: lock_probe mutex|threadlock|race|continuation|handoff")
}
