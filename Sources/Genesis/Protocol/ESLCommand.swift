/// One command for FreeSWITCH, validated before anything is written.
///
/// FreeSWITCH ends a command at a blank line and does not decode header
/// values, so a CR or LF inside the command line or a header would start a
/// second command: a dial string carrying `"\n\napi hupall"` must never reach
/// the wire. Such input throws ``ESLError/invalidCommand(reason:)``. Long or
/// multi-line data goes in the body, which is framed by `Content-Length`.
///
/// ```swift
/// let command = try ESLCommand("api", "originate", "{origination_uuid=\(uuid)}user/1000 &park()")
/// ```
public struct ESLCommand: Sendable, CustomStringConvertible {
    /// The first line, e.g. `api status`.
    public let line: String
    /// Header lines after it, in order.
    public let headers: [ESLHeader]
    /// Bytes after the blank line; `Content-Length` is added automatically.
    public let body: [UInt8]?

    /// The first word (`api`, `bgapi`, `sendmsg`, …): what metrics and spans
    /// name the command by.
    public var verb: Substring {
        // By bytes: a walk over Characters was a few percent of every send.
        line[..<(line.utf8.firstIndex(of: UInt8(ascii: " ")) ?? line.endIndex)]
    }

    /// ``verb`` as a String, found in the line's bytes directly.
    var verbName: String {
        line.utf8.withContiguousStorageIfAvailable { bytes in
            let end = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.count
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        } ?? String(verb)
    }

    /// Builds a command from its line, headers and body.
    public init(line: String, headers: [ESLHeader] = [], body: [UInt8]? = nil) throws(ESLError) {
        try Self.checkLine(line, what: "command line")
        for header in headers {
            try Self.checkHeader(header)
        }
        self.line = line
        self.headers = headers
        self.body = body
    }

    /// Builds `verb arg1 arg2 …`, each argument checked.
    public init(_ verb: String, _ arguments: String...) throws(ESLError) {
        let line = ([verb] + arguments.filter { !$0.isEmpty }).joined(separator: " ")
        try self.init(line: line)
    }

    /// The exact bytes to write: the line, the headers, the body's length, a
    /// blank line and the body.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(line.utf8.count + 2 + (body?.count ?? 0) + headers.count * 32)
        bytes += line.utf8
        bytes.append(0x0A)
        for header in headers {
            bytes += header.name.utf8
            bytes += ": ".utf8
            bytes += header.value.utf8
            bytes.append(0x0A)
        }
        if let body {
            bytes += "Content-Length: \(body.count)\n".utf8
        }
        bytes.append(0x0A)
        if let body {
            bytes += body
        }
        return bytes
    }

    /// The command as logs and spans may show it: secrets of `auth` and
    /// `userauth` are replaced.
    public var description: String {
        switch verb {
        case "auth": "auth <redacted>"
        case "userauth": "userauth <redacted>"
        default: line
        }
    }

    static func checkLine(_ text: String, what: String) throws(ESLError) {
        if text.isEmpty {
            throw ESLError.invalidCommand(reason: "empty \(what)")
        }
        try checkNoLineBreak(text, what: what)
    }

    static func checkNoLineBreak(_ text: String, what: String) throws(ESLError) {
        // Over the contiguous bytes when there are (always, for a native
        // string): the generic walk over the UTF-8 view showed in every send.
        let hasLineBreak = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 == 0x0A || $0 == 0x0D }
        } ?? text.utf8.contains { $0 == 0x0A || $0 == 0x0D }
        if hasLineBreak {
            throw ESLError.invalidCommand(reason: "\(what) contains a line break, which would start another command")
        }
    }

    static func checkHeader(_ header: ESLHeader) throws(ESLError) {
        if header.name.isEmpty || header.name.utf8.contains(UInt8(ascii: ":")) {
            throw ESLError.invalidCommand(reason: "header name '\(header.name)' is empty or contains ':'")
        }
        if header.name.lowercased() == "content-length" {
            throw ESLError.invalidCommand(reason: "Content-Length is set from the body")
        }
        try checkNoLineBreak(header.name, what: "header name")
        try checkNoLineBreak(header.value, what: "value of header '\(header.name)'")
    }
}
