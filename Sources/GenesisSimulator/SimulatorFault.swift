/// Misbehaviour a test can force on one connection, to exercise a client's
/// error handling.
public enum SimulatorFault: Sendable, Equatable {
    /// Writes these bytes as they are, between two frames.
    case garbage([UInt8])
    /// Writes the first part of an `api/response` frame (its header promises
    /// more body than follows) and closes the connection, as a crash
    /// mid-write would.
    case disconnectMidFrame
    /// Stops writing: replies and events are held back (commands are still
    /// processed) until ``resume``.
    case stall
    /// Ends a ``stall``, writing everything held back in order.
    case resume
}
