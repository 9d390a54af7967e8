import Synchronization

/// The channels of one connection, by UUID: hands each event to the channel
/// it is about, originates new legs, and forgets a leg once it is gone.
///
/// Routing is one dictionary lookup per event, and only channels of this
/// connection are ever registered, so nothing grows with the calls of the
/// rest of the switch.
package final class ChannelRegistry: Sendable {
    /// How the connection learns about a new leg's events.
    package enum LegEvents: Sendable {
        /// `filter Unique-ID <uuid>` per leg, deleted once the leg is gone.
        case filterPerLeg
        /// Legs get UUIDs that start with this connection's prefix, and one
        /// filter set when the connection started (``prefixFilter(_:)``)
        /// lets all their events through: no command per leg. A leg whose
        /// UUID the caller chose without the prefix gets its own filter.
        case uuidPrefix(String)
        /// The connection cannot follow other legs (an outbound session on `myevents`).
        case unavailable(reason: String)
    }

    let sender: any ESLCommandSender
    private let legEvents: LegEvents
    private let channels = Lock<[String: Channel]>([:])
    /// UUIDs whose filter this registry added (and so must delete).
    private let filtered = Lock<Set<String>>([])
    /// Legs whose originate has not returned: reconciliation leaves them to
    /// their bgapi result (FreeSWITCH may not have created them yet).
    private let originating = Lock<Set<String>>([])

    package init(sender: any ESLCommandSender, legEvents: LegEvents) {
        self.sender = sender
        self.legEvents = legEvents
    }

    /// A random prefix for ``LegEvents/uuidPrefix(_:)``: the first two
    /// groups of a version 4 UUID (48 random bits, `xxxxxxxx-xxxx-`), so
    /// two connections practically never share one, and the UUIDs made
    /// with it keep the version 4 form.
    package static func makeUUIDPrefix() -> String {
        String(UUIDGenerator.next().prefix(14))
    }

    /// The `filter Unique-ID` value that lets through the events of every
    /// UUID starting with `prefix` (a hex-and-dash literal, so no character
    /// of it means anything special to the regular expression).
    package static func prefixFilter(_ prefix: String) -> String {
        "/^\(prefix)/"
    }

    /// A UUID for a new leg: with ``LegEvents/uuidPrefix(_:)`` one whose
    /// events this connection already receives.
    package func makeLegUUID() -> String {
        guard case .uuidPrefix(let prefix) = legEvents else { return UUIDGenerator.next() }
        return prefix + UUIDGenerator.next().dropFirst(prefix.utf8.count)
    }

    /// Whether the leg needs a `filter Unique-ID <uuid>` of its own.
    private func needsOwnFilter(_ uuid: String) -> Bool {
        if case .uuidPrefix(let prefix) = legEvents, uuid.hasPrefix(prefix) { return false }
        return true
    }

    /// The channel with this UUID, if this connection tracks it.
    package func channel(_ uuid: String) -> Channel? {
        channels.withLock { $0[uuid] }
    }

    /// Number of channels tracked now.
    package var count: Int { channels.withLock { $0.count } }

    /// Starts tracking a channel that already exists (an outbound session's own).
    package func adopt(uuid: String, state: ChannelState, answered: Bool) -> Channel {
        let channel = Channel(uuid: uuid, sender: sender, state: state, answered: answered)
        channels.withLock { $0[uuid] = channel }
        return channel
    }

    /// Routes one event by its Unique-ID. Returns false when no channel of
    /// this connection is concerned.
    @discardableResult
    package func route(_ event: ESLEvent) -> Bool {
        guard let uuid = event.uniqueID, let channel = channels.withLock({ $0[uuid] }) else { return false }
        channel.deliver(event)
        if event.name == "CHANNEL_HANGUP_COMPLETE" {
            forget(uuid)
        }
        return true
    }

    /// The connection ended: every channel's pending operations fail.
    package func connectionClosed() {
        let all = channels.withLock { channels in
            defer { channels.removeAll() }
            return Array(channels.values)
        }
        filtered.withLock { $0.removeAll() }
        for channel in all { channel.connectionClosed() }
    }

    /// After a reconnect: compares the tracked channels with
    /// `show channels as json` and delivers the differences, so no channel
    /// waits for an event that was sent while the connection was down. A
    /// channel that no longer exists ends (``Channel/reconcileGone()``); one
    /// that does gets its current state and answer status. Returns the UUIDs
    /// found gone.
    @discardableResult
    package func reconcile(timeout: Duration? = nil) async throws -> [String] {
        let pending = originating.withLock { $0 }
        let tracked = channels.withLock { $0 }.filter { !pending.contains($0.key) }
        guard !tracked.isEmpty else { return [] }
        let listing = try ChannelListingSnapshot(json: try await sender.api("show channels as json", timeout: timeout))
        var gone: [String] = []
        for (uuid, channel) in tracked {
            if let row = listing.rows[uuid] {
                channel.reconcile(state: row.state, answered: row.answered)
            } else {
                gone.append(uuid)
                // Untracked before its waiters wake, so they never see it registered.
                forget(uuid) { $0.reconcileGone() }
            }
        }
        return gone.sorted()
    }

    /// `bgapi originate {origination_uuid=…,…}<dial string> <application>`,
    /// with the UUID chosen here (``makeLegUUID()`` unless given) so the
    /// leg's events are routed from its very first one. A blocking
    /// `api originate` would stall the connection (ESL.md 8.2 #14). Returns
    /// once the leg answered; a failed leg throws
    /// ``ChannelError/originateFailed(cause:replyText:)``.
    package func originate(
        _ dialString: String, variables: OriginateVariables, uuid chosen: String?, application: String
    ) async throws -> Channel {
        if case .unavailable(let reason) = legEvents { throw ChannelError.unsupported(reason: reason) }
        guard !dialString.isEmpty, !dialString.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw ChannelError.invalidArgument(reason: "dial string must be one non-empty word (quote values through variables)")
        }
        guard !application.isEmpty, !application.contains(" ") else {
            throw ChannelError.invalidArgument(reason: "application must be one word, e.g. &park()")
        }
        let uuid = chosen ?? makeLegUUID()
        _ = try OriginateVariables.checkedName(uuid)
        var legVariables = variables
        legVariables["origination_uuid"] = uuid
        let block = try legVariables.rendered()
        let seconds = variables.timeoutSeconds ?? 60
        return try await ChannelOperation.create.run(uuid: uuid) {
            let channel = Channel(uuid: uuid, sender: sender)
            let duplicate = channels.withLock { channels -> Bool in
                guard channels[uuid] == nil else { return true }
                channels[uuid] = channel
                return false
            }
            if duplicate { throw ChannelError.invalidArgument(reason: "channel \(uuid) already exists on this connection") }
            originating.withLock { _ = $0.insert(uuid) }
            defer { originating.withLock { _ = $0.remove(uuid) } }
            do {
                if needsOwnFilter(uuid) {
                    try await sender.filter("Unique-ID", uuid)
                    filtered.withLock { _ = $0.insert(uuid) }
                }
                let result = try await sender.bgapi(
                    "originate \(block)\(dialString) \(application)", timeout: .seconds(seconds + 15))
                guard result.hasPrefix("+OK") else {
                    throw ChannelError.originateFailed(cause: .unknown(result), replyText: result)
                }
                if variables["return_ring_ready"] != "true" {
                    try await channel.settleAfterOriginate()
                }
                return channel
            } catch ESLError.commandFailed(let text) {
                forget(uuid)
                let cause = text.hasPrefix("-ERR ") ? String(text.dropFirst(5)) : text
                throw ChannelError.originateFailed(cause: HangupCause(name: cause), replyText: text)
            } catch {
                forget(uuid)
                throw error
            }
        }
    }

    /// Stops tracking a leg and deletes its filter in the background (the
    /// caller is the event path, which must never wait for a reply).
    private func forget(_ uuid: String, ending end: (Channel) -> Void = { $0.connectionClosed() }) {
        let channel = channels.withLock { $0.removeValue(forKey: uuid) }
        if let channel { end(channel) }
        let hadFilter = filtered.withLock { $0.remove(uuid) != nil }
        guard hadFilter else { return }
        let sender = sender
        Task { try? await sender.deleteFilter("Unique-ID", uuid) }
    }
}
