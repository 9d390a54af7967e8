/// An event as the simulated switch holds it before serialization: its type
/// (what subscriptions match on), optional CUSTOM subclass, the headers in
/// FreeSWITCH's order, and an optional body.
///
/// The type is kept apart from the `Event-Name` header on purpose: FreeSWITCH
/// routes by its internal type, and some events (a `sendevent` with an
/// `Event-Name` header, a diverted bare event) carry that header twice or not
/// at all.
public struct SimulatorEvent: Sendable, Equatable {
    /// Canonical type name from ``EventTypeName`` (`CHANNEL_ANSWER`, `CUSTOM`, …).
    public var type: String
    /// Subclass of a CUSTOM event (`sofia::register`); nil for others.
    public var subclass: String?
    public var headers: [SimulatorEventHeader]
    /// Raw body bytes. `nil` and empty differ only in JSON, which still
    /// appends `Content-Length` and `_body` for an empty body.
    public var body: [UInt8]?

    public init(type: String, subclass: String? = nil, headers: [SimulatorEventHeader] = [], body: [UInt8]? = nil) {
        self.type = type
        self.subclass = subclass
        self.headers = headers
        self.body = body
    }

    /// First value of the header named `name`, compared case-insensitively
    /// (FreeSWITCH's lookup rule, which filters rely on).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.firstValue
    }

    public mutating func append(_ name: String, _ value: String) {
        headers.append(SimulatorEventHeader(name, value))
    }
}

extension String {
    /// ASCII case-insensitive equality, the `strcasecmp` FreeSWITCH uses for
    /// header names, event names and filter values.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = utf8, right = other.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { Self.lowercased($0) == Self.lowercased($1) }
    }

    /// ASCII case-insensitive prefix test (`strncasecmp(cmd, word, len)`).
    func hasCaseInsensitivePrefix(_ prefix: String) -> Bool {
        // One iterator, no zip: every command is tried against a dozen
        // keywords before it is dispatched.
        var bytes = utf8.makeIterator()
        for expected in prefix.utf8 {
            guard let byte = bytes.next(), Self.lowercased(byte) == Self.lowercased(expected) else { return false }
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
    }
}
