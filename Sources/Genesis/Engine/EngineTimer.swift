import CGenesis
import Synchronization

/// An action on the engine's loop thread after a delay, once or at every
/// period: one `uv_timer` and this small object, not a task or a thread, so
/// ten thousand pending deadlines cost ten thousand timers.
///
/// Each arming hands the C timer one retained reference; exactly one of the
/// firing callback and a successful `gen_engine_cancel_timer` takes it back.
///
/// libuv counts a timer from its cached loop time, which lags while the loop
/// is busy (ten thousand connections keep it busy), so a timer can come due
/// early; the due time is therefore kept on the monotonic clock and an early
/// firing re-arms for the rest. The action never runs before its time.
package final class EngineTimer: Sendable {
    private struct State {
        var id: Int64 = 0
        var cancelled = false
        /// Monotonic nanoseconds at which the current period ends.
        var due: UInt64 = 0
    }

    private let engine: Engine
    private let interval: UInt64?
    private let action: @Sendable () -> Void
    private let state = Lock(State())

    private init(engine: Engine, interval: UInt64?, action: @escaping @Sendable () -> Void) {
        self.engine = engine
        self.interval = interval
        self.action = action
    }

    /// Runs `action` on `engine`'s loop thread once `delay` has passed, then
    /// every `interval` (at least a millisecond) until cancelled, if given.
    /// On an engine that is stopping the action never runs.
    package static func start(
        on engine: Engine, after delay: Duration, every interval: Duration? = nil,
        _ action: @escaping @Sendable () -> Void
    ) -> EngineTimer {
        let timer = EngineTimer(engine: engine, interval: interval.map { max(1, milliseconds($0)) }, action: action)
        timer.arm(milliseconds: milliseconds(delay))
        return timer
    }

    /// Calls the action off; it does not run after this returns, unless it
    /// is running already on the loop thread.
    package func cancel() {
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

    /// Rounded up, so a timer never fires before its delay has passed.
    package static func milliseconds(_ duration: Duration) -> UInt64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        return UInt64(seconds) * 1_000 + UInt64((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// Starts the next period unless cancelled. Under the lock, so a cancel
    /// always sees the id of the period it must call off.
    private func arm(milliseconds: UInt64) {
        state.withLock { state in
            state.due = MonotonicClock.nanoseconds() + milliseconds * 1_000_000
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
            let now = MonotonicClock.nanoseconds()
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
}
