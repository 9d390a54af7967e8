// libFuzzer target for the originate variable block (OriginateVariables).
// Built by Tests/Fuzz/Makefile with `swiftc -sanitize=fuzzer,address`
// together with the library files it needs (OriginateVariables.swift,
// ChannelError.swift, HangupCause.swift), not through SwiftPM: SwiftPM
// has no fuzzer product type on Linux.
//
// Input: name NUL value NUL name NUL value ... (UTF-8, lossily decoded).
// Property: whenever rendering succeeds, reading the block back the way
// FreeSWITCH does gives exactly the variables that were set; the block is
// one word of the originate line; it holds no line break and no '}' but the
// last. Rendering may refuse only a bad name, a '}' or a line break.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOriginate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fields = UnsafeBufferPointer(start: data, count: size).split(separator: 0, omittingEmptySubsequences: false)
    var variables = OriginateVariables()
    var index = 0
    while index + 1 < fields.count {
        let name = String(decoding: fields[index], as: UTF8.self)
        let value = String(decoding: fields[index + 1], as: UTF8.self)
        variables[name] = value
        index += 2
    }
    let block: String
    do {
        block = try variables.rendered()
    } catch {
        // Refusing is correct only when some name or value deserves it.
        let deserved = variables.entries.contains { entry in
            (try? OriginateVariables.checkedName(entry.name)) == nil
                || entry.value.unicodeScalars.contains { $0 == "}" || $0 == "\n" || $0 == "\r" }
        }
        if !deserved { fatalError("refused a valid variable set: \(variables.entries)") }
        return 0
    }
    if variables.entries.isEmpty {
        if !block.isEmpty { fatalError("non-empty block for no variables") }
        return 0
    }
    let bytes = Array(block.utf8)
    guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { fatalError("not a block: \(block)") }
    let inner = bytes[1..<(bytes.count - 1)]
    if inner.contains(UInt8(ascii: "}")) || bytes.contains(0x0A) || bytes.contains(0x0D) {
        fatalError("'}' or line break inside the block: \(block)")
    }
    // The originate line is split on spaces outside single quotes; '\' escapes.
    var quoted = false
    var escaped = false
    var parts: [[UInt8]] = [[]]
    for byte in inner {
        if escaped {
            escaped = false
        } else if byte == UInt8(ascii: "\\") {
            escaped = true
        } else if byte == UInt8(ascii: "'") {
            quoted.toggle()
        } else if !quoted, byte == 0x20 || byte == 0x09 {
            fatalError("unquoted blank splits the originate line: \(block)")
        } else if !quoted, byte == UInt8(ascii: ",") {
            parts.append([])
            continue
        }
        parts[parts.count - 1].append(byte)
    }
    if quoted || escaped { fatalError("unterminated quote or escape: \(block)") }
    guard parts.count == variables.entries.count else {
        fatalError("\(parts.count) parts for \(variables.entries.count) variables: \(block)")
    }
    for (part, entry) in zip(parts, variables.entries) {
        guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else { fatalError("no '=' in a part: \(block)") }
        let name = String(decoding: part[..<equals], as: UTF8.self)
        var raw = Array(part[(equals + 1)...])
        if raw.count >= 2, raw.first == UInt8(ascii: "'"), raw.last == UInt8(ascii: "'") {
            raw = Array(raw.dropFirst().dropLast())
        }
        var value: [UInt8] = []
        var pendingEscape = false
        for byte in raw {
            if pendingEscape || byte != UInt8(ascii: "\\") {
                value.append(byte)
                pendingEscape = false
            } else {
                pendingEscape = true
            }
        }
        if name != entry.name || value != Array(entry.value.utf8) {
            fatalError("round trip changed \(entry) into \(name)=\(String(decoding: value, as: UTF8.self)) via \(block)")
        }
    }
    return 0
}
