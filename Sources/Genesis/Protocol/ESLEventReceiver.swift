/// Takes a connection's events on the engine's loop thread, in the order they
/// arrived, in place of the connection's event stream.
///
/// An outbound session routes its events this way: no task per session waits
/// on a stream, and nothing is queued, since each event is applied to its
/// channel at once. Both methods run on the loop thread, which serves every
/// connection: they must return quickly and never wait.
package protocol ESLEventReceiver: Sendable {
    /// One batch of events, in stream order.
    func receive(_ events: [ESLEvent])

    /// The connection ended; no event follows.
    func connectionEnded()
}
