/// Channel variables for `originate`, rendered as the `{…}` block of the dial
/// string with FreeSWITCH's escaping, so commas, quotes and spaces in values
/// arrive intact (ESL.md 6.1, 6.2).
///
/// ```swift
/// var variables = OriginateVariables()
/// variables.callerIDName = "Doe, John"         // sent as 'Doe\, John'
/// variables.callerIDNumber = "1001"
/// variables.timeoutSeconds = 20
/// variables["sip_h_X-Campaign"] = "spring sale"
/// ```
public struct OriginateVariables: Sendable, Equatable {
    /// In the order they were set; a later set of the same name replaces the value in place.
    public private(set) var entries: [(name: String, value: String)] = []

    public init() {}

    public init(_ variables: KeyValuePairs<String, String>) {
        for (name, value) in variables { self[name] = value }
    }

    public subscript(name: String) -> String? {
        get { entries.first { $0.name == name }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.name == name }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((name, newValue))
            }
        }
    }

    /// `origination_caller_id_name`.
    public var callerIDName: String? {
        get { self["origination_caller_id_name"] }
        set { self["origination_caller_id_name"] = newValue }
    }

    /// `origination_caller_id_number`.
    public var callerIDNumber: String? {
        get { self["origination_caller_id_number"] }
        set { self["origination_caller_id_number"] = newValue }
    }

    /// `originate_timeout`: seconds to wait for an answer (NO_ANSWER after).
    public var timeoutSeconds: Int? {
        get { self["originate_timeout"].flatMap { Int($0) } }
        set { self["originate_timeout"] = newValue.map(String.init) }
    }

    /// The `{name=value,…}` block, or "" when empty. Throws for a name that
    /// is not a plain word or a value FreeSWITCH cannot carry.
    public func rendered() throws(ChannelError) -> String {
        guard !entries.isEmpty else { return "" }
        var parts: [String] = []
        for (name, value) in entries {
            parts.append("\(try Self.checkedName(name))=\(try Self.escaped(value))")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// FreeSWITCH splits the originate line on spaces (single quotes group,
    /// backslash escapes) and the `{}` block on commas (`\,` is a literal
    /// comma); a `}` would end the block early and cannot be escaped.
    ///
    /// It works on Unicode scalars, not Characters: FreeSWITCH reads bytes, and
    /// a grapheme such as "\r\n" or "," followed by a combining mark is not
    /// equal to "\n" or "," although its bytes contain one (found by
    /// Tests/Fuzz/fuzz_originate.swift).
    static func escaped(_ value: String) throws(ChannelError) -> String {
        var text = String.UnicodeScalarView()
        var blank = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "}": throw .invalidArgument(reason: "a variable value cannot contain '}'")
            case "\n", "\r": throw .invalidArgument(reason: "a variable value cannot contain a line break")
            case "\\", ",", "'": text.append("\\"); text.append(scalar)
            case " ", "\t": blank = true; text.append(scalar)
            default: text.append(scalar)
            }
        }
        return blank ? "'\(String(text))'" : String(text)
    }

    static func checkedName(_ name: String) throws(ChannelError) -> String {
        guard !name.isEmpty, name.utf8.allSatisfy({ byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }) else {
            throw .invalidArgument(reason: "variable name '\(name)' must be letters, digits, '_', '-' or '.'")
        }
        return name
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.value == $1.value }
    }
}
