/// A command block that is nothing but `api <name> [arguments]`, recognised
/// from its bytes: the shape of almost every command a load test sends, so
/// it skips ``CommandBlock`` and the keyword dispatch (see
/// ``SimulatorConnection/receive(commandBytes:body:)``).
///
/// Only blocks whose handling cannot differ from the general path qualify:
/// one line, all ASCII (byte offsets are then Character offsets, which the
/// general path counts in), optionally followed by LF bytes only (a CR would
/// move the line end, ESL.md 1.3). Anything else is nil and goes the long way.
struct APICommandLine {
    /// The text between `api ` and the first space after it, untrimmed
    /// (an unknown command is quoted so).
    let name: String
    /// `name` without leading and trailing blanks, as the switch looks it up.
    let trimmedName: String
    /// The text after that space (empty when there is none), trimmed.
    let trimmedArguments: String

    init?(_ block: UnsafeRawBufferPointer) {
        let apiKeywordLength = 4
        var lineEnd = block.count
        for index in 0..<block.count {
            let byte = block[index]
            if byte == 0x0A {
                lineEnd = index
                break
            }
            // Non-ASCII, or a CR: leave it to the general path.
            if byte >= 0x80 || byte == 0x0D { return nil }
        }
        for index in lineEnd..<block.count where block[index] != 0x0A { return nil }
        guard lineEnd >= apiKeywordLength,
              block[0] | 0x20 == UInt8(ascii: "a"), block[1] | 0x20 == UInt8(ascii: "p"),
              block[2] | 0x20 == UInt8(ascii: "i"), block[3] == UInt8(ascii: " ")
        else { return nil }
        let rest = block[apiKeywordLength..<lineEnd]
        let nameEnd = rest.firstIndex(of: UInt8(ascii: " ")) ?? lineEnd
        let nameBytes = rest[..<nameEnd]
        name = Self.string(nameBytes)
        let trimmed = Self.trimmed(nameBytes)
        trimmedName = trimmed.count == nameBytes.count ? name : Self.string(trimmed)
        trimmedArguments = nameEnd < lineEnd ? Self.string(Self.trimmed(rest[(nameEnd + 1)...])) : ""
    }

    private static func string(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes), as: UTF8.self)
    }

    /// Spaces and tabs off both ends: on a line without CR, LF or
    /// non-ASCII bytes, exactly what `String.trimmingSpaces()` removes.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }
}
