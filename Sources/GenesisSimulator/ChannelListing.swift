/// `show channels` / `show calls` over the live channels, in the shapes of
/// ESL.md 6.3 (CSV with a total line, or `as json`).
enum ChannelListing {
    static let channelColumns = [
        "uuid", "direction", "created", "created_epoch", "name", "state", "cid_name", "cid_num", "ip_addr", "dest",
        "application", "application_data", "dialplan", "context", "read_codec", "read_rate", "read_bit_rate",
        "write_codec", "write_rate", "write_bit_rate", "secure", "hostname", "presence_id", "presence_data",
        "accountcode", "callstate", "callee_name", "callee_num", "callee_direction", "call_uuid", "sent_callee_name",
        "sent_callee_num", "initial_cid_name", "initial_cid_num", "initial_ip_addr", "initial_dest",
        "initial_dialplan", "initial_context",
    ]

    static func show(_ words: [String], state: CallEngine.State, hostname: String) -> String {
        guard let table = words.first, ["channels", "calls"].contains(table) else {
            return "-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits|status\n"
        }
        let channels = state.ordered
        let rows = channels.map { row($0, hostname: hostname) }
        if words.count >= 2, words[1] == "count" { return "\n\(rows.count) total.\n" }
        if words.count >= 3, words[1] == "as" {
            switch words[2] {
            case "json":
                guard !rows.isEmpty else { return "{\"row_count\": 0}\n" }
                let objects = rows.map { row in
                    "{" + zip(channelColumns, row).map { "\"\($0)\":\"\(escape($1))\"" }.joined(separator: ",") + "}"
                }
                return "{\"row_count\":\(rows.count),\"rows\":[\(objects.joined(separator: ","))]}"
            case "xml":
                if rows.isEmpty { return "<result row_count=\"0\"/>\n" }
            default: break
            }
        }
        guard !rows.isEmpty else { return "\n0 total.\n" }
        let lines = [channelColumns.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }
        return lines.joined(separator: "\n") + "\n\n\(rows.count) total.\n"
    }

    private static func row(_ channel: SimulatedChannel, hostname: String) -> [String] {
        let profile = channel.profile
        let application = channel.applications.last
        // The core DB fills the callee columns, callee_direction and
        // call_uuid on CALL_UPDATE (capture 13: set on the originated leg
        // after loopback's caller-ID flip, empty on its partner).
        let updated = channel.variables["channel_cid_flipped"] == "yes"
        return [
            channel.uuid, channel.isOutbound ? "outbound" : "inbound",
            EventDateFormatter.local(microseconds: profile.createdTime), String(profile.createdTime / 1_000_000),
            channel.name, channel.runningState.name, profile.callerIDName, profile.callerIDNumber, "",
            profile.destinationNumber, application?.step.application ?? "", application?.step.argument ?? "", "xml",
            profile.context, "L16", "8000", "128000", "L16", "8000", "128000", "", hostname, "", "", "",
            channel.callState.name,
            updated && profile.calleeIDName == "Outbound Call" ? "" : profile.calleeIDName, profile.calleeIDNumber,
            updated ? "RECV" : "", updated ? channel.variables["call_uuid"] ?? channel.uuid : "",
            "", "", profile.origCallerIDName, profile.origCallerIDNumber, "", profile.destinationNumber, "xml",
            profile.context,
        ]
    }

    private static func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            if character == "\\" || character == "\"" { output.append("\\") }
            output.append(character)
        }
        return output
    }
}
