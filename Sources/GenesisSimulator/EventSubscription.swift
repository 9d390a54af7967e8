import Genesis

/// What one connection asked to receive (`event`, `nixevent`, `noevents`)
/// and in which format, with FreeSWITCH's matching rule (MES:event_handler).
struct EventSubscription {
    var format: ESLEventFormat = .plain
    /// Set by any accepted `event`/`nixevent`; `noevents` answers by it.
    var enabled = false
    /// `event … ALL`: every type, and every CUSTOM subclass.
    var all = false
    var types: Set<String> = []
    var subclasses: Set<String> = []
    /// `myevents`: only events of one channel (today, lacking channels, of
    /// any channel: the event must carry a `Unique-ID`).
    var channelEventsOnly = false
    /// `myevents` of a known channel: only its events and the background
    /// jobs it owns (`Job-Owner-UUID`).
    var channelUUID: String?

    /// The fixed set `myevents` subscribes to (MES:parse_command).
    static let myEventsTypes: Set<String> = [
        "CHANNEL_ANSWER", "CHANNEL_APPLICATION", "CHANNEL_BRIDGE", "CHANNEL_CREATE", "CHANNEL_DATA",
        "CHANNEL_DESTROY", "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HANGUP",
        "CHANNEL_HANGUP_COMPLETE", "CHANNEL_ORIGINATE", "CHANNEL_UUID", "CHANNEL_OUTGOING", "CHANNEL_PARK",
        "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_STATE", "CHANNEL_UNBRIDGE", "CHANNEL_UNPARK",
        "DETECTED_SPEECH", "DTMF", "NOTALK", "TALK",
    ]

    /// Type check of MES:event_handler: `ALL`, or the type subscribed and,
    /// for a CUSTOM event that has a subclass, that subclass named.
    func matches(_ event: SimulatorEvent) -> Bool {
        guard enabled else { return false }
        if let channelUUID {
            guard event.header("Unique-ID") == channelUUID || event.header("Job-Owner-UUID") == channelUUID
            else { return false }
        } else if channelEventsOnly && event.header("Unique-ID") == nil {
            return false
        }
        if all { return true }
        guard types.contains(event.type) else { return false }
        guard event.type == "CUSTOM", let subclass = event.subclass else { return true }
        return subclasses.contains(subclass)
    }

    /// Applies the tokens of `event [fmt] …`. Returns false when no token
    /// named a known type (`-ERR no keywords supplied`); the format word is
    /// consumed and kept either way, as FreeSWITCH does.
    mutating func subscribe(_ tokens: [Substring]) -> Bool {
        var tokens = tokens[...]
        if let first = tokens.first, let chosen = ESLEventFormat.allCases.first(where: { String(first).caseInsensitiveEquals($0.rawValue) }) {
            format = chosen
            tokens = tokens.dropFirst()
        }
        var keyCount = 0
        var customFollows = false
        for token in tokens.map(String.init) {
            if customFollows {
                subclasses.insert(token)
                continue
            }
            guard let type = EventTypeName.canonical(token) else { continue }
            keyCount += 1
            if type == EventTypeName.allKeyword {
                all = true
                types.formUnion(EventTypeName.all)
            } else {
                types.insert(type)
            }
            if type == "CUSTOM" { customFollows = true }
        }
        if keyCount > 0 { enabled = true }
        return keyCount > 0
    }

    /// Applies `nixevent …`. Removing one type while subscribed to `ALL`
    /// turns the subscription into "every type but this one", so custom
    /// subclasses are no longer all covered.
    mutating func unsubscribe(_ tokens: [Substring]) -> Bool {
        var keyCount = 0
        var customFollows = false
        for token in tokens.map(String.init) {
            if customFollows {
                subclasses.remove(token)
                continue
            }
            guard let type = EventTypeName.canonical(token) else { continue }
            keyCount += 1
            // `nixevent CUSTOM a::b` removes only the subclasses that follow
            // (ESL.md 2.x): the CUSTOM type itself stays.
            if type == "CUSTOM" {
                customFollows = true
                continue
            }
            if type == EventTypeName.allKeyword {
                all = false
                types.removeAll()
            } else {
                if all {
                    all = false
                    types = Set(EventTypeName.all)
                }
                types.remove(type)
            }
            if type == "CUSTOM" { customFollows = true }
        }
        if keyCount > 0 { enabled = true }
        return keyCount > 0
    }

    /// `myevents`: the fixed type list, restricted to channel events.
    mutating func subscribeMyEvents(uuid: String? = nil) {
        channelUUID = uuid
        types.formUnion(Self.myEventsTypes)
        channelEventsOnly = true
        enabled = true
    }

    /// `noevents`: forgets every type and subclass; the format stays.
    mutating func clear() {
        enabled = false
        all = false
        types.removeAll()
        subclasses.removeAll()
    }
}
