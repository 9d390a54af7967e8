/// One `filter <header> <value>` entry, pre-parsed for FreeSWITCH's
/// evaluation rule (MES:event_handler, ESL.md 2.7).
struct EventFilter {
    let header: String
    /// The value exactly as the client sent it (delete compares with it).
    let value: String
    /// The last leading `+`/`-` decides; unsigned means positive.
    let isPositive: Bool
    /// The value after the leading sign and space characters.
    let comparand: String
    /// Only an unsigned value starting with `/` is a regular expression
    /// (`/pattern/flags`); `-/x/` is compared literally, as FreeSWITCH does.
    let regex: Regex<AnyRegexOutput>?
    /// For a regular expression that is `^` and plain letters, digits, `-`
    /// and `_` without flags (`/^1b2c-/`, the prefix a client gives the
    /// UUIDs of its legs): the literal it must start with. Tested with a
    /// byte comparison instead of the regular expression engine, with the
    /// same outcome, because it is checked against every event.
    let anchoredLiteral: String?

    init(header: String, value: String) {
        self.header = header
        self.value = value
        var positive = true
        var rest = Substring(value)
        while let first = rest.first, first == "+" || first == "-" || first == " " {
            if first == "+" { positive = true } else if first == "-" { positive = false }
            rest = rest.dropFirst()
        }
        isPositive = positive
        comparand = String(rest)
        regex = value.hasPrefix("/") ? Self.compile(value) : nil
        anchoredLiteral = Self.anchoredLiteral(value)
    }

    /// Whether this filter matches the event's value of ``header``.
    func matches(_ headerValue: String) -> Bool {
        if value.hasPrefix("/") {
            if let anchoredLiteral { return headerValue.utf8.starts(with: anchoredLiteral.utf8) }
            guard let regex else { return false }
            return headerValue.contains(regex)
        }
        return headerValue.caseInsensitiveEquals(comparand)
    }

    /// The literal of `/^literal/`, nil for any other value.
    private static func anchoredLiteral(_ text: String) -> String? {
        guard text.hasPrefix("/^"), text.hasSuffix("/"), text.utf8.count > 3 else { return nil }
        let literal = text.utf8.dropFirst(2).dropLast()
        let plain = literal.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        return plain ? String(decoding: literal, as: UTF8.self) : nil
    }

    /// `/pattern/flags` with PCRE's `i` and `s` flags; a pattern Swift's
    /// engine cannot compile matches nothing (FreeSWITCH logs and fails the
    /// match the same way).
    private static func compile(_ text: String) -> Regex<AnyRegexOutput>? {
        guard let close = text.lastIndex(of: "/"), close > text.startIndex else { return nil }
        let pattern = String(text[text.index(after: text.startIndex)..<close])
        let flags = text[text.index(after: close)...]
        guard var regex = try? Regex(pattern) else { return nil }
        if flags.contains("i") { regex = regex.ignoresCase() }
        if flags.contains("s") { regex = regex.dotMatchesNewlines() }
        return regex
    }
}
