import Synchronization

/// Call control on an inbound connection: originate legs and control them as
/// ``Channel``s.
///
/// It takes over the client's event stream: it subscribes to every event
/// type behind two allow-list filters, BACKGROUND_JOB for `bgapi` and
/// `Unique-ID /^<prefix>/`, where the prefix is this connection's own and
/// starts the UUID of every leg it originates (``makeLegUUID()``). So the
/// connection receives its own calls' events and nothing else, and a new
/// leg costs no `filter` command (a regular expression filter is one test
/// per event in FreeSWITCH, where a filter per leg is one per leg and
/// event). A leg originated with a UUID of your own without the prefix gets
/// a `filter Unique-ID <uuid>` of its own, deleted when the leg is gone.
///
/// With reconnection on (``InboundConfiguration/reconnect``) the client
/// replays those filters and the subscription on the new connection, and
/// call control then reconciles its channels with `show channels as json`:
/// a leg that hung up during the outage ends with
/// ``ChannelError/callEnded(cause:)``, one that changed gets its new state,
/// so no ``Channel`` waits for an event that was lost.
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
    package let registry: ChannelRegistry
    private let reader: Lock<Task<Void, Never>?>
    private let reconciler: Lock<Task<Void, Never>?>

    private let legUUIDPrefix: String

    private init(client: InboundClient) {
        self.client = client
        legUUIDPrefix = ChannelRegistry.makeUUIDPrefix()
        registry = ChannelRegistry(sender: client, legEvents: .uuidPrefix(legUUIDPrefix))
        reader = Lock(nil)
        reconciler = Lock(nil)
    }

    /// Subscribes and starts routing the client's events to channels.
    /// Events of other channels and without a channel are not delivered.
    public static func start(on client: InboundClient) async throws -> CallControl {
        let control = CallControl(client: client)
        // The filter comes first: `event … ALL` with no filter yet would let
        // the whole switch's traffic through for a moment.
        try await client.filter("Event-Name", "BACKGROUND_JOB")
        try await client.filter("Unique-ID", ChannelRegistry.prefixFilter(control.legUUIDPrefix))
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
        if client.configuration.reconnect.isEnabled {
            let states = client.stateChanges()
            let logger = client.configuration.logger
            control.reconciler.withLock {
                $0 = Task {
                    var wasDown = false
                    for await state in states {
                        switch state {
                        case .connected where wasDown:
                            wasDown = false
                            do {
                                let gone = try await registry.reconcile()
                                logger.info("channels reconciled", metadata: ["gone": "\(gone.count)"])
                            } catch {
                                // The next reconnect reconciles again; until
                                // then the channels' own deadlines bound every wait.
                                logger.error("reconciling channels failed", metadata: ["error": "\(error)"])
                            }
                        case .disconnected, .reconnecting:
                            wasDown = true
                        default:
                            break
                        }
                    }
                }
            }
        }
        return control
    }

    /// Compares the tracked channels with `show channels as json` now (it
    /// runs by itself after each reconnect). Returns the UUIDs found gone.
    @discardableResult
    public func reconcile() async throws -> [String] {
        try await registry.reconcile()
    }

    /// Originates a leg through `bgapi` and returns it once answered.
    ///
    /// - Parameters:
    ///   - dialString: `user/1000`, `sofia/gateway/gw/+15551234`, `loopback/1000`, …
    ///   - variables: channel variables, escaped for you.
    ///   - uuid: the leg's UUID; ``makeLegUUID()`` when nil.
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

    /// A fresh UUID for a leg you will originate here: its events already
    /// reach this connection, so originating it sends no `filter` command.
    /// Any other UUID works too, at the cost of one filter for the leg.
    public func makeLegUUID() -> String { registry.makeLegUUID() }

    /// A leg this connection tracks, by UUID.
    public func channel(_ uuid: String) -> Channel? { registry.channel(uuid) }

    /// Stops routing and closes the client.
    public func close() {
        client.close()
        reader.withLock { $0 }?.cancel()
        reconciler.withLock { $0 }?.cancel()
    }
}
