import Genesis

/// Renders an event as one JSON object: every header in order (a header that
/// occurs several times, or holds several values, becomes an array) and the
/// body as `_body`, as FreeSWITCH's own `text/event-json` does.
enum EventJSON {
    static func line(_ event: ESLEvent) -> String {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in event.headers {
            if values[header.name] == nil { order.append(header.name) }
            values[header.name, default: []].append(header.value)
        }
        var out = "{"
        for (index, name) in order.enumerated() {
            if index > 0 { out += "," }
            out += quoted(name) + ":"
            let list = values[name] ?? []
            out += list.count == 1 ? quoted(list[0]) : "[" + list.map(quoted).joined(separator: ",") + "]"
        }
        if let body = event.body {
            out += (order.isEmpty ? "" : ",") + "\"_body\":" + quoted(body)
        }
        return out + "}"
    }

    static func quoted(_ text: String) -> String {
        var out = ""
        JSONLogHandler.appendQuoted(text, to: &out)
        return out
    }
}
