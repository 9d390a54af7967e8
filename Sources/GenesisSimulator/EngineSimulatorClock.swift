import CGenesis
import Genesis
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real time, with timers on the C engine's libuv loop: a timer is one
/// `uv_timer` and one small object, not a task or a thread, so ten thousand
/// ringing, sleeping or playing calls cost ten thousand timers. Actions run on
/// the engine's loop thread, where the simulator's socket I/O runs too.
///
/// ``SimulatorServer`` uses this clock by default.
///
/// ```swift
/// let simulator = SimulatorSwitch(clock: EngineSimulatorClock())
/// ```
public struct EngineSimulatorClock: SimulatorClock {
    private let engine: Engine

    /// Timers on the process-wide engine (the one connections use).
    public init() {
        self.init(engine: .shared)
    }

    package init(engine: Engine) {
        self.engine = engine
    }

    public func nowMicroseconds() -> Int64 {
        SystemSimulatorClock().nowMicroseconds()
    }

    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        let timer = EngineTimer(engine: engine, interval: nil, action: action)
        timer.arm(milliseconds: Self.milliseconds(delay))
        return timer
    }

    public func scheduleRepeating(every interval: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        let milliseconds = max(1, Self.milliseconds(interval))
        let timer = EngineTimer(engine: engine, interval: milliseconds, action: action)
        timer.arm(milliseconds: milliseconds)
        return timer
    }

    /// Rounded up, so a timer never fires before its delay has passed.
    static func milliseconds(_ duration: Duration) -> UInt64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        return UInt64(seconds) * 1_000 + UInt64((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

/// One armed engine timer. Each arming hands the C timer one retained
/// reference; exactly one of the firing callback and a successful
/// `gen_engine_cancel_timer` takes it back.
///
/// libuv counts a timer from its cached loop time, which lags while the loop
/// is busy (ten thousand calls keep it busy), so a timer can come due early;
/// the due time is therefore kept on the monotonic clock and an early firing
/// re-arms for the rest.
private final class EngineTimer: SimulatorTimer {
    private struct State {
        var id: Int64 = 0
        var cancelled = false
        /// Monotonic nanoseconds at which the current period ends.
        var due: UInt64 = 0
    }

    private let engine: Engine
    private let interval: UInt64?
    private let action: @Sendable () -> Void
    private let state = Mutex(State())

    init(engine: Engine, interval: UInt64?, action: @escaping @Sendable () -> Void) {
        self.engine = engine
        self.interval = interval
        self.action = action
    }

    /// Starts the next period unless cancelled. Under the lock, so a cancel
    /// always sees the id of the period it must call off.
    func arm(milliseconds: UInt64) {
        state.withLock { state in
            state.due = Self.monotonicNanoseconds() + milliseconds * 1_000_000
            start(&state, milliseconds: milliseconds)
        }
    }

    private func start(_ state: inout State, milliseconds: UInt64) {
        guard !state.cancelled else { return }
        let context = Unmanaged.passRetained(self).toOpaque()
        let id = gen_engine_set_timer(engine.raw, milliseconds, { context in
            guard let context else { return }
            Unmanaged<EngineTimer>.fromOpaque(context).takeRetainedValue().fire()
        }, context)
        if id > 0 {
            state.id = id
        } else {
            // The engine is stopping: the timer never fires.
            state.id = 0
            Unmanaged<EngineTimer>.fromOpaque(context).release()
        }
    }

    private func fire() {
        let live = state.withLock { state in
            state.id = 0
            guard !state.cancelled else { return false }
            let now = Self.monotonicNanoseconds()
            guard now >= state.due else {
                // Early (stale loop time): wait out the rest.
                start(&state, milliseconds: (state.due - now + 999_999) / 1_000_000)
                return false
            }
            return true
        }
        guard live else { return }
        action()
        if let interval { arm(milliseconds: interval) }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    func cancel() {
        let id = state.withLock { state in
            state.cancelled = true
            defer { state.id = 0 }
            return state.id
        }
        if id > 0, gen_engine_cancel_timer(engine.raw, id) == 1 {
            // Called off before it fired: its callback will not release.
            Unmanaged.passUnretained(self).release()
        }
    }
}
