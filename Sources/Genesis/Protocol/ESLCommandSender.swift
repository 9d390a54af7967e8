/// Anything that can send ESL commands: an inbound client or an outbound
/// session. The typed commands below are built on ``send(_:timeout:)`` and
/// throw ``ESLError/commandFailed(replyText:)`` when FreeSWITCH answers `-ERR`,
/// so a failure is never a status to remember to check.
public protocol ESLCommandSender: Sendable {
    /// Writes one command and returns FreeSWITCH's reply as it is, success or not.
    /// It runs on the caller's executor: a round trip is short, and a hop to
    /// the generic executor and back on each call cost more than the
    /// command's own work.
    nonisolated(nonsending) func send(_ command: ESLCommand, timeout: Duration?) async throws -> ESLReply

    /// Runs `bgapi` and returns the BACKGROUND_JOB event with its result.
    func backgroundJob(_ command: String, timeout: Duration?) async throws -> ESLEvent

    /// Whether a command that failed with
    /// ``ESLError/connectionLost(command:mayHaveRun:)`` can be sent again on
    /// this sender later, once it is connected again (an inbound client
    /// that reconnects). Cleanup that must reach the switch, such as killing
    /// a ring group's losing legs, retries while this is true.
    var willReconnect: Bool { get }
}

extension ESLCommandSender {
    /// No reconnection: an outbound session's socket is the call's own.
    public var willReconnect: Bool { false }

    /// Sends a command and throws unless FreeSWITCH reports success.
    @discardableResult
    nonisolated(nonsending) public func checked(_ command: ESLCommand, timeout: Duration? = nil) async throws -> ESLReply {
        let reply = try await send(command, timeout: timeout)
        guard reply.isSuccess else { throw ESLError.commandFailed(replyText: reply.failureText) }
        return reply
    }

    /// `api <command>`: runs an API command and returns its output.
    ///
    /// Output starting with `-ERR` or `-USAGE` throws ``ESLError/commandFailed(replyText:)``.
    /// `api` blocks the connection inside FreeSWITCH until the command ends:
    /// prefer ``bgapi(_:timeout:)`` for slow commands such as `originate`.
    @discardableResult
    nonisolated(nonsending) public func api(_ command: String, timeout: Duration? = nil) async throws -> String {
        try await checked(ESLCommand(line: "api \(command)"), timeout: timeout).body
    }

    /// `bgapi <command>`: runs an API command in the background and returns its
    /// output. The Job-UUID is chosen and registered before the command is
    /// written, so the result can never be missed. The connection subscribes
    /// to BACKGROUND_JOB by itself (in its current format) if it has not yet.
    @discardableResult
    public func bgapi(_ command: String, timeout: Duration? = nil) async throws -> String {
        let event = try await backgroundJob(command, timeout: timeout)
        let body = event.body ?? ""
        if body.hasPrefix("-ERR") || body.hasPrefix("-USAGE") {
            var text = body
            while text.hasSuffix("\n") { text.removeLast() }
            throw ESLError.commandFailed(replyText: text)
        }
        return body
    }

    /// `event <format> <names…> [CUSTOM <subclasses…>]`: adds to the subscription.
    public func subscribe(
        _ names: [String], subclasses: [String] = [], format: ESLEventFormat = .plain
    ) async throws {
        var tokens = names
        if !subclasses.isEmpty {
            if !tokens.contains("CUSTOM") { tokens.append("CUSTOM") }
            tokens += subclasses
        }
        try await checked(ESLCommand(line: (["event", format.rawValue] + tokens).joined(separator: " ")))
    }

    /// `nixevent <names…> [CUSTOM <subclasses…>]`: removes from the subscription.
    public func unsubscribe(_ names: [String], subclasses: [String] = []) async throws {
        var tokens = names
        if !subclasses.isEmpty { tokens += ["CUSTOM"] + subclasses }
        try await checked(ESLCommand(line: (["nixevent"] + tokens).joined(separator: " ")))
    }

    /// `noevents`: stops every subscription (filters stay).
    public func unsubscribeAll() async throws {
        try await checked(ESLCommand(line: "noevents"))
    }

    /// `filter <header> <value>`: only events that pass a filter are sent.
    /// A value written `/regex/` is a regular expression; `-value` excludes.
    public func filter(_ header: String, _ value: String) async throws {
        try checkToken(header, "filter header")
        try await checked(ESLCommand(line: "filter \(header) \(value)"))
    }

    /// `filter delete <header> [<value>]`.
    public func deleteFilter(_ header: String, _ value: String? = nil) async throws {
        try checkToken(header, "filter header")
        try await checked(ESLCommand(line: "filter delete \(header)" + (value.map { " \($0)" } ?? "")))
    }

    /// `filter delete all`.
    public func deleteAllFilters() async throws {
        try await checked(ESLCommand(line: "filter delete all"))
    }

    /// `sendmsg [<uuid>]`: a message for a channel. Long or multi-line
    /// application arguments should go in `body`.
    @discardableResult
    public func sendmsg(
        uuid: String?, headers: [ESLHeader], body: [UInt8]? = nil, timeout: Duration? = nil
    ) async throws -> ESLReply {
        if let uuid { try checkToken(uuid, "channel UUID") }
        var allHeaders = headers
        if body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            allHeaders.append(ESLHeader("Content-Type", "text/plain"))
        }
        let line = uuid.map { "sendmsg \($0)" } ?? "sendmsg"
        return try await checked(ESLCommand(line: line, headers: allHeaders, body: body), timeout: timeout)
    }

    /// `sendmsg` with `call-command: execute`: runs a dialplan application on
    /// a channel. An argument with a line break travels as the body.
    @discardableResult
    public func execute(
        _ application: String, _ argument: String? = nil, uuid: String?,
        eventUUID: String? = nil, eventLock: Bool = false, asynchronous: Bool = false, loops: Int? = nil
    ) async throws -> ESLReply {
        try checkToken(application, "application name")
        var headers = [ESLHeader("call-command", "execute"), ESLHeader("execute-app-name", application)]
        var body: [UInt8]?
        if let argument {
            if argument.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
                body = Array(argument.utf8)
            } else {
                headers.append(ESLHeader("execute-app-arg", argument))
            }
        }
        if let loops { headers.append(ESLHeader("loops", String(loops))) }
        if eventLock { headers.append(ESLHeader("event-lock", "true")) }
        if asynchronous { headers.append(ESLHeader("async", "true")) }
        if let eventUUID { headers.append(ESLHeader("Event-UUID", eventUUID)) }
        return try await sendmsg(uuid: uuid, headers: headers, body: body)
    }

    /// `sendevent <name>`: fires an event inside FreeSWITCH. Returns its Event-UUID.
    @discardableResult
    public func sendevent(
        _ name: String, subclass: String? = nil, headers: [ESLHeader] = [], body: String? = nil
    ) async throws -> String {
        try checkToken(name, "event name")
        var allHeaders = headers
        if let subclass { allHeaders.insert(ESLHeader("Event-Subclass", subclass), at: 0) }
        if body != nil, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            allHeaders.append(ESLHeader("Content-Type", "text/plain"))
        }
        let reply = try await checked(
            ESLCommand(line: "sendevent \(name)", headers: allHeaders, body: body.map { Array($0.utf8) }))
        return String(reply.replyText?.dropFirst(4) ?? "")
    }

    /// `divert_events on|off` (sessions).
    public func divertEvents(_ enabled: Bool) async throws {
        try await checked(ESLCommand(line: "divert_events \(enabled ? "on" : "off")"))
    }

    /// `linger [<seconds>]`: keep the socket open after hangup so the final
    /// events arrive (sessions).
    public func linger(seconds: Int? = nil) async throws {
        try await checked(ESLCommand(line: seconds.map { "linger \($0)" } ?? "linger"))
    }

    /// `nolinger`.
    public func nolinger() async throws {
        try await checked(ESLCommand(line: "nolinger"))
    }

    /// `log <level>`: FreeSWITCH's log lines arrive as `log/data` events.
    public func log(level: String = "debug") async throws {
        try checkToken(level, "log level")
        try await checked(ESLCommand(line: "log \(level)"))
    }

    /// `nolog`.
    public func nolog() async throws {
        try await checked(ESLCommand(line: "nolog"))
    }

    /// `myevents <uuid> [format]`: bind this connection to one channel's events.
    public func myevents(uuid: String, format: ESLEventFormat = .plain) async throws {
        try checkToken(uuid, "channel UUID")
        try await checked(ESLCommand(line: "myevents \(uuid) \(format.rawValue)"))
    }

    private func checkToken(_ value: String, _ what: String) throws {
        if value.isEmpty || value.utf8.contains(where: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw ESLError.invalidCommand(reason: "\(what) must be one non-empty word")
        }
    }
}
