/// Time and timers for the simulator, injectable so tests can step time by
/// hand and the server can back timers with the engine's event loop.
///
/// Wall time feeds `Event-Date-*`, uptime and the `status` text; timers drive
/// the HEARTBEAT event and the 25-second auth deadline.
public protocol SimulatorClock: Sendable {
    /// Wall-clock time in microseconds since the Unix epoch.
    func nowMicroseconds() -> Int64

    /// Runs `action` once, `delay` from now, unless cancelled first.
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer

    /// Runs `action` every `interval`, first `interval` from now, until cancelled.
    func scheduleRepeating(every interval: Duration, _ action: @escaping @Sendable () -> Void) -> any SimulatorTimer
}

/// A scheduled action that can be called off.
public protocol SimulatorTimer: Sendable {
    func cancel()
}
