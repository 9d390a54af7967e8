import CGenesis

/// The rows of `show channels as json` that reconciliation needs: each
/// channel's UUID, state and whether it was answered.
///
/// FreeSWITCH prints `{"row_count":N,"rows":[{"uuid":"…","state":"CS_…",
/// "callstate":"ACTIVE",…},…]}` with every value a string, and
/// `{"row_count":0}` when there is no channel. This reads exactly that
/// shape (objects of string members, nothing nested) without pulling
/// Foundation into the library; anything else throws, so a reply that is
/// not a listing never reconciles every channel away.
struct ChannelListingSnapshot {
    struct Row {
        var state: ChannelState
        var answered: Bool
    }

    private(set) var rows: [String: Row] = [:]

    init(json text: String) throws {
        let bytes = Array(text.utf8)
        var index = 0
        var sawRowCount = false
        var current: [String: String]?
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                if depth == 2 { current = [:] }
                index += 1
            case UInt8(ascii: "}"):
                if depth == 2, let object = current {
                    try add(object)
                    current = nil
                }
                depth -= 1
                index += 1
            case UInt8(ascii: "\""):
                let key = try Self.string(bytes, &index)
                if key == "row_count", depth == 1 { sawRowCount = true }
                Self.skipSpace(bytes, &index)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { continue }
                index += 1
                Self.skipSpace(bytes, &index)
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    let value = try Self.string(bytes, &index)
                    if depth == 2 { current?[key] = value }
                }
            default:
                index += 1
            }
        }
        guard sawRowCount, depth == 0 else {
            throw ESLError.protocolViolation(reason: "show channels as json: not a channel listing")
        }
    }

    private mutating func add(_ object: [String: String]) throws {
        guard let uuid = object["uuid"], !uuid.isEmpty else {
            throw ESLError.protocolViolation(reason: "show channels as json: a row without uuid")
        }
        let callState = object["callstate"] ?? ""
        rows[uuid] = Row(
            state: ChannelState(name: object["state"] ?? "CS_NEW"),
            answered: ["ACTIVE", "HELD", "BRIDGED"].contains(callState))
    }

    private static func skipSpace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// Reads a JSON string starting at its opening quote; leaves `index`
    /// after the closing one.
    private static func string(_ bytes: [UInt8], _ index: inout Int) throws -> String {
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") { break }
            index += 1
        }
        guard index < bytes.count else {
            throw ESLError.protocolViolation(reason: "show channels as json: unterminated string")
        }
        let content = Array(bytes[start..<index])
        index += 1
        guard escaped else { return String(decoding: content, as: UTF8.self) }
        var output = [CChar](repeating: 0, count: max(1, content.count))
        let length = content.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { gen_json_unescape($0.baseAddress, $0.count, &output) }
        }
        guard length >= 0 else { throw ESLError.protocolViolation(reason: "show channels as json: bad escape") }
        return String(decoding: output[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
