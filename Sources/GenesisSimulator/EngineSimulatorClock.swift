import Genesis

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
        EngineTimer.start(on: engine, after: delay, action)
    }

    public func scheduleRepeating(every interval: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer {
        EngineTimer.start(on: engine, after: max(interval, .milliseconds(1)), every: interval, action)
    }
}

/// An engine timer is what the simulator's calls wait on.
extension EngineTimer: SimulatorTimer {}
