import Synchronization
import Genesis

/// A clock that moves only when told to, for deterministic tests: timers fire
/// inside ``advance(by:)``, in due order, on the caller's thread.
///
/// ```swift
/// let clock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548)
/// let simulator = SimulatorSwitch(clock: clock)
/// simulator.start()
/// clock.advance(by: .seconds(20))   // fires HEARTBEAT
/// ```
public final class ManualSimulatorClock: SimulatorClock {
    private struct PendingTimer {
        var due: Int64
        var interval: Int64?
        var action: @Sendable () -> Void
    }

    private struct State {
        var now: Int64
        var nextID = 0
        var timers: [Int: PendingTimer] = [:]
    }

    private let state: Lock<State>

    public init(nowMicroseconds: Int64 = 1_700_000_000_000_000) {
        state = Lock(State(now: nowMicroseconds))
    }

    public func nowMicroseconds() -> Int64 {
        state.withLock { $0.now }
    }

    /// Sets the time without firing timers (to line values up with a capture).
    public func set(nowMicroseconds: Int64) {
        state.withLock { $0.now = nowMicroseconds }
    }

    /// Moves time forward, firing every timer that falls due on the way, each
    /// with the clock set to its due time.
    public func advance(by duration: Duration) {
        let target = state.withLock { $0.now } + Self.microseconds(duration)
        while let action = nextDueAction(upTo: target) {
            action()
        }
        state.withLock { $0.now = max($0.now, target) }
    }

    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        add(delay: delay, interval: nil, action: action)
    }

    public func scheduleRepeating(every interval: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        add(delay: interval, interval: interval, action: action)
    }

    private func add(delay: Duration, interval: Duration?, action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.timers[id] = PendingTimer(
                due: state.now + Self.microseconds(delay),
                interval: interval.map { max(1, Self.microseconds($0)) },
                action: action)
            return id
        }
        return ManualTimer(clock: self, id: id)
    }

    /// Takes the earliest timer due by `target` (ties by creation order),
    /// advances the clock to it and reschedules or drops it.
    private func nextDueAction(upTo target: Int64) -> (@Sendable () -> Void)? {
        state.withLock { state in
            guard let (id, timer) = state.timers
                .filter({ $0.value.due <= target })
                .min(by: { ($0.value.due, $0.key) < ($1.value.due, $1.key) })
            else { return nil }
            state.now = max(state.now, timer.due)
            if let interval = timer.interval {
                state.timers[id]?.due = timer.due + interval
            } else {
                state.timers[id] = nil
            }
            return timer.action
        }
    }

    fileprivate func cancel(id: Int) {
        state.withLock { _ = $0.timers.removeValue(forKey: id) }
    }

    private static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

private struct ManualTimer: SimulatorTimer {
    let clock: ManualSimulatorClock
    let id: Int

    func cancel() {
        clock.cancel(id: id)
    }
}
