/// The API commands the simulator answers out of the box, with reply texts
/// copied from FreeSWITCH 1.10.12 (captures 02 and 15). Call-related
/// commands (originate, uuid_*) belong to the channel layer.
public enum BuiltInAPICommands {
    static func all() -> [String: any APICommand] {
        [
            "status": ClosureAPICommand(immediate: status),
            "version": ClosureAPICommand(immediate: version),
            "uptime": ClosureAPICommand(immediate: uptime),
            "hostname": ClosureAPICommand(immediate: { APIResult($0.simulator.configuration.hostname) }),
            "create_uuid": ClosureAPICommand(immediate: { _ in APIResult(UUIDFactory.make()) }),
            "echo": ClosureAPICommand(immediate: { APIResult($0.arguments) }),
            "global_getvar": ClosureAPICommand(immediate: globalGetvar),
            "show": ClosureAPICommand(immediate: show),
            "sim_blast": ClosureAPICommand(immediate: simBlast),
        ]
    }

    /// mod_commands `status`, line for line (the trailing spaces on the
    /// session lines are FreeSWITCH's). Only the `UP` line changes from call
    /// to call; the switch caches the rest.
    static func status(_ invocation: APIInvocation) -> APIResult {
        APIResult(invocation.simulator.statusText { sessions, configuration in
            """
            FreeSWITCH (Version \(configuration.versionHuman)) is ready
            \(sessions.sinceStartup) session(s) since startup
            \(sessions.current) session(s) - peak \(sessions.peak), last 5min \(sessions.peakFiveMinutes) \n\
            \(sessions.perSecondLast) session(s) per Sec out of max \(sessions.maxPerSecond), \
            peak \(sessions.perSecondPeak), last 5min \(sessions.perSecondFiveMinutes) \n\
            \(sessions.maxSessions) session(s) max
            min idle cpu 0.00/\(FixedPointText.format(configuration.idleCPU, decimals: 2))
            Current Stack Size/Max \(configuration.stackSizeKiB)K/\(configuration.stackMaxKiB)K

            """
        })
    }

    static func version(_ invocation: APIInvocation) -> APIResult {
        let configuration = invocation.simulator.configuration
        if invocation.arguments.caseInsensitiveEquals("short") {
            return APIResult("\(configuration.version)\n")
        }
        return APIResult("FreeSWITCH Version \(configuration.versionFull) ( \(configuration.bits))\n")
    }

    /// `uptime [us|ms|s|m|h|d]`, seconds by default.
    static func uptime(_ invocation: APIInvocation) -> APIResult {
        let scales: [String: Int64] = [
            "": 1_000_000, "s": 1_000_000, "us": 1, "ms": 1_000,
            "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000,
        ]
        guard let scale = scales[invocation.arguments.lowercased()] else {
            return APIResult("-USAGE: [us|ms|s|m|h|d]\n")
        }
        return APIResult("\(invocation.simulator.uptimeMicroseconds() / scale)\n")
    }

    /// The global variables the switch defines; an unset one yields empty
    /// output, which api_exec turns into `-ERR no reply`.
    static func globalGetvar(_ invocation: APIInvocation) -> APIResult {
        let configuration = invocation.simulator.configuration
        let globals = [
            "hostname": configuration.hostname,
            "core_uuid": configuration.coreUUID,
            "local_ip_v4": configuration.ipv4,
            "local_ip_v6": configuration.ipv6,
        ]
        return APIResult(globals[invocation.arguments] ?? "")
    }

    /// `show channels|calls [count|as json|as xml]` while no channel exists.
    static func show(_ invocation: APIInvocation) -> APIResult {
        let words = invocation.argumentWords
        guard let table = words.first, ["channels", "calls"].contains(table) else {
            return APIResult("-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n")
        }
        if words.count >= 3, words[1] == "as" {
            switch words[2] {
            case "json": return APIResult("{\"row_count\": 0}\n")
            case "xml": return APIResult("<result row_count=\"0\"/>\n")
            default: break
            }
        }
        return APIResult("\n0 total.\n")
    }

    /// `sim_blast <count> [EVENT_NAME]`: a load generator, not a FreeSWITCH
    /// command. Renders one event (HEARTBEAT by default) once in the calling
    /// connection's format and has the link write it `count` times right
    /// after the `+OK`, so benchmarks measure the client, not the simulator.
    /// The copies share one `Event-Sequence`.
    static func simBlast(_ invocation: APIInvocation) -> APIResult {
        let words = invocation.argumentWords
        guard let connection = invocation.connection, let countText = words.first,
              let count = Int(countText), count > 0
        else {
            return APIResult("-USAGE: <count> [EVENT_NAME]\n")
        }
        let requested = words.count > 1 ? words[1] : "HEARTBEAT"
        guard let type = EventTypeName.canonical(requested), type != EventTypeName.allKeyword else {
            return APIResult("-ERR unknown event type \(requested)\n")
        }
        let simulator = invocation.simulator
        let event = type == "HEARTBEAT"
            ? simulator.makeHeartbeatEvent()
            : simulator.makeEvent(type: type, origin: .simulator)
        guard let frame = connection.frameIfDelivered(event) else {
            return APIResult("-ERR not subscribed to \(type)\n")
        }
        return APIResult("+OK\n") {
            connection.writeRepeated(frame, count: count)
        }
    }
}
