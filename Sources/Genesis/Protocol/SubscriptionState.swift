/// What the connection asked FreeSWITCH to send, followed from every command
/// FreeSWITCH accepted: event format, event types and CUSTOM subclasses,
/// filters, `myevents` and the log level.
///
/// Two uses. FreeSWITCH delivers a `bgapi` result only to listeners
/// subscribed to BACKGROUND_JOB, and every `event <format>` switches the
/// whole connection to that format; so `bgapi` subscribes by itself when
/// needed, in the format the application already chose. And a reconnecting
/// client replays ``replayLines`` on the new connection, so the application's
/// subscription survives an outage without the application knowing.
struct SubscriptionState: Sendable, Equatable {
    private(set) var format = "plain"
    /// `event … ALL` is in force (minus ``excluded``).
    private(set) var all = false
    private(set) var names: [String] = []
    /// Names removed with `nixevent` while ``all`` holds.
    private(set) var excluded: [String] = []
    private(set) var subclasses: [String] = []
    /// In the order they were added: FreeSWITCH evaluates them as a set, but
    /// replaying in order keeps the wire transcript readable.
    private(set) var filters: [Filter] = []
    /// `myevents <uuid> [format]` on an inbound connection.
    private(set) var myeventsUUID: String?
    private var myeventsFormat = "plain"
    /// Set by `myevents` with no UUID (an outbound session's own channel).
    private var myeventsSession = false
    private(set) var logLevel: String?

    struct Filter: Sendable, Equatable {
        var header: String
        var value: String
    }

    var deliversBackgroundJobs: Bool {
        if myeventsUUID != nil || myeventsSession { return true }
        if all { return !excluded.contains("BACKGROUND_JOB") }
        return names.contains("BACKGROUND_JOB")
    }

    /// Whether anything was asked that a new connection would not have.
    var isEmpty: Bool {
        !all && names.isEmpty && subclasses.isEmpty && filters.isEmpty && myeventsUUID == nil && logLevel == nil
    }

    /// Follows a command FreeSWITCH accepted.
    mutating func apply(acceptedLine line: String) {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first?.lowercased() else { return }
        let arguments = Array(words.dropFirst())
        switch verb {
        case "event":
            var tokens = arguments[...]
            if let first = tokens.first, ["plain", "json", "xml"].contains(first.lowercased()) {
                format = first.lowercased()
                tokens = tokens.dropFirst()
            }
            // As mod_event_socket parses it: after CUSTOM every word is a subclass.
            var custom = false
            for token in tokens {
                if custom {
                    if !subclasses.contains(token) { subclasses.append(token) }
                } else if token == "ALL" {
                    all = true
                    excluded = []
                } else if token == "CUSTOM" {
                    custom = true
                    if !names.contains(token) { names.append(token) }
                } else {
                    excluded.removeAll { $0 == token }
                    if !names.contains(token) { names.append(token) }
                }
            }
        case "nixevent":
            var custom = false
            for token in arguments {
                if custom {
                    subclasses.removeAll { $0 == token }
                } else if token == "ALL" {
                    all = false
                    names = []
                    excluded = []
                    subclasses = []
                } else if token == "CUSTOM" {
                    custom = true
                } else {
                    names.removeAll { $0 == token }
                    if all, !excluded.contains(token) { excluded.append(token) }
                }
            }
        case "noevents":
            all = false
            names = []
            excluded = []
            subclasses = []
        case "myevents":
            if let uuid = arguments.first, !["plain", "json", "xml"].contains(uuid.lowercased()) {
                myeventsUUID = uuid
                myeventsFormat = arguments.dropFirst().first?.lowercased() ?? "plain"
            } else {
                // Session-bound listeners get their own jobs' results.
                myeventsSession = true
            }
        case "filter":
            if arguments.first?.lowercased() == "delete" {
                let rest = Array(arguments.dropFirst())
                if rest.isEmpty || rest.first?.lowercased() == "all" {
                    filters = []
                } else if rest.count == 1 {
                    filters.removeAll { $0.header == rest[0] }
                } else {
                    let value = rest.dropFirst().joined(separator: " ")
                    filters.removeAll { $0.header == rest[0] && $0.value == value }
                }
            } else if arguments.count >= 2 {
                let filter = Filter(header: arguments[0], value: arguments.dropFirst().joined(separator: " "))
                if !filters.contains(filter) { filters.append(filter) }
            }
        case "log":
            logLevel = arguments.first ?? "debug"
        case "nolog":
            logLevel = nil
        default:
            break
        }
    }

    /// The commands that rebuild this state on a fresh connection. Filters
    /// come first so that `event … ALL` never lets the whole switch's traffic
    /// through for a moment (the same order ``CallControl`` uses).
    var replayLines: [String] {
        var lines: [String] = filters.map { "filter \($0.header) \($0.value)" }
        if all {
            var line = "event \(format) ALL"
            if !subclasses.isEmpty { line += " CUSTOM " + subclasses.joined(separator: " ") }
            lines.append(line)
            if !excluded.isEmpty { lines.append("nixevent " + excluded.joined(separator: " ")) }
        } else if !names.isEmpty || !subclasses.isEmpty {
            var tokens = names.filter { $0 != "CUSTOM" }
            if !subclasses.isEmpty { tokens += ["CUSTOM"] + subclasses }
            lines.append("event \(format) " + tokens.joined(separator: " "))
        }
        if let uuid = myeventsUUID { lines.append("myevents \(uuid) \(myeventsFormat)") }
        if let logLevel { lines.append("log \(logLevel)") }
        return lines
    }

    static func == (lhs: SubscriptionState, rhs: SubscriptionState) -> Bool {
        lhs.replayLines == rhs.replayLines && lhs.myeventsSession == rhs.myeventsSession
    }
}
