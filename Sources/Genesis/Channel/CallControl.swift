import Synchronization

/// Call control on an inbound connection: originate legs and control them as
/// ``Channel``s.
///
/// It takes over the client's event stream: it subscribes to every event
/// type behind allow-list filters, one `filter Unique-ID` per leg it tracks
/// (deleted when the leg is gone) plus BACKGROUND_JOB for `bgapi`, so the
/// connection receives its own calls' events and nothing else.
///
/// ```swift
/// let client = try await InboundClient.connect(host: "127.0.0.1", password: "ClueCon")
/// let calls = try await CallControl.start(on: client)
/// var variables = OriginateVariables()
/// variables.callerIDName = "Genesis"
/// let channel = try await calls.originate("user/1000", variables: variables)
/// try await channel.playback("ivr/welcome.wav")
/// try await channel.hangup()
/// ```
public final class CallControl: Sendable {
    public let client: InboundClient
    let registry: ChannelRegistry
    private let reader: Mutex<Task<Void, Never>?>

    private init(client: InboundClient) {
        self.client = client
        registry = ChannelRegistry(sender: client, legEvents: .filterPerLeg)
        reader = Mutex(nil)
    }

    /// Subscribes and starts routing the client's events to channels.
    /// Events of other channels and without a channel are not delivered.
    public static func start(on client: InboundClient) async throws -> CallControl {
        let control = CallControl(client: client)
        // The filter comes first: `event … ALL` with no filter yet would let
        // the whole switch's traffic through for a moment.
        try await client.filter("Event-Name", "BACKGROUND_JOB")
        try await client.subscribe(["ALL"])
        let registry = control.registry
        let events = client.events
        control.reader.withLock {
            $0 = Task {
                do {
                    for try await event in events { registry.route(event) }
                } catch {}
                registry.connectionClosed()
            }
        }
        return control
    }

    /// Originates a leg through `bgapi` and returns it once answered.
    ///
    /// - Parameters:
    ///   - dialString: `user/1000`, `sofia/gateway/gw/+15551234`, `loopback/1000`, …
    ///   - variables: channel variables, escaped for you.
    ///   - uuid: the leg's UUID; one is generated when nil.
    ///   - application: what the leg runs once answered; `&park()` leaves it
    ///     waiting for your commands.
    /// - Throws: ``ChannelError/originateFailed(cause:replyText:)`` with the
    ///   hangup cause (`USER_BUSY`, `NO_ANSWER`, …) when the leg fails.
    public func originate(
        _ dialString: String, variables: OriginateVariables = OriginateVariables(), uuid: String? = nil,
        application: String = "&park()"
    ) async throws -> Channel {
        try await registry.originate(dialString, variables: variables, uuid: uuid, application: application)
    }

    /// A leg this connection tracks, by UUID.
    public func channel(_ uuid: String) -> Channel? { registry.channel(uuid) }

    /// Stops routing and closes the client.
    public func close() {
        client.close()
        reader.withLock { $0 }?.cancel()
    }
}
