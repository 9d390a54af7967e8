/// Where an outbound session's connection delivers its events, on the loop
/// thread: to the session's channels, and the end of the connection to the
/// server too, which counts the session until then.
///
/// Routing on the loop thread is cheap enough: a dictionary lookup and the
/// channel's state update under its lock, and waking a waiter only resumes
/// its continuation.
struct OutboundSessionEvents: ESLEventReceiver {
    let registry: ChannelRegistry
    /// Told once, after the channels have failed whatever still waited.
    let connectionClosed: @Sendable () -> Void

    func receive(_ events: [ESLEvent]) {
        for event in events { registry.route(event) }
    }

    func connectionEnded() {
        registry.connectionClosed()
        connectionClosed()
    }
}
