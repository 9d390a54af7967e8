/// A client command split the way FreeSWITCH's MES:read_packet splits it:
/// the first line is the command, the other lines `name: value` headers.
///
/// Line ends follow FreeSWITCH, not common sense: a line ends at the next CR
/// anywhere later in the block if there is one, otherwise at the next LF, and
/// the run of CR/LF bytes after it is skipped. Pure LF and pure CRLF blocks
/// parse as expected; mixed endings glue lines together exactly as they do on
/// a real server (ESL.md 1.3).
struct CommandBlock {
    /// The command line (`api status`, `sendevent CUSTOM`, …).
    let line: String
    /// Header lines in order. Only spaces after the colon are skipped, the
    /// name is kept as typed, lines without a colon and empty values dropped.
    let headers: [(name: String, value: String)]
    let body: [UInt8]?

    init(text: String, body: [UInt8]?) {
        self.body = body.flatMap { $0.isEmpty ? nil : $0 }
        // Most commands are one line (`api status`): nothing to split.
        if !text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            line = text
            headers = []
            return
        }
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 0x0D || first == 0x0A { bytes = bytes.dropFirst() }
        var lines: [String] = []
        while !bytes.isEmpty {
            let end = bytes.firstIndex(of: 0x0D) ?? bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
            lines.append(String(decoding: bytes[..<end], as: UTF8.self))
            bytes = bytes[end...]
            while let first = bytes.first, first == 0x0D || first == 0x0A { bytes = bytes.dropFirst() }
        }
        line = lines.first ?? ""
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            guard !value.isEmpty else { return nil }
            return (String(line[..<colon]), String(value))
        }
    }

    /// First header of that name, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// The command line after a keyword of `count` characters, with the
    /// spaces that follow it skipped.
    func argument(afterKeywordLength count: Int) -> Substring {
        line.dropFirst(count).drop { $0 == " " }
    }
}
