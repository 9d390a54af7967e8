/// The non-event frames FreeSWITCH writes, byte for byte (ESL.md 1.1): header
/// order, single LF line ends, the blank line, Content-Length framing.
enum ReplyFrame {
    static let authRequest = Array("Content-Type: auth/request\n\n".utf8)

    /// FreeSWITCH's normal goodbye (67 bytes).
    static let goodbyeText = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
    /// The body of the notice sent when the module shuts down.
    static let shutdownText = "The system is being shut down.\n"

    /// `command/reply`; Reply-Text is cut to 511 bytes like FreeSWITCH's
    /// 512-byte reply buffer.
    static func commandReply(_ text: String, extraHeaders: [(String, String)] = []) -> [UInt8] {
        var frame = Array("Content-Type: command/reply\nReply-Text: ".utf8)
        frame.append(contentsOf: text.utf8.prefix(511))
        frame.append(0x0A)
        for (name, value) in extraHeaders {
            frame.append(contentsOf: "\(name): \(value)\n".utf8)
        }
        frame.append(0x0A)
        return frame
    }

    /// A whole `api/response` frame, for one that must wait in the
    /// connection's queue (see ``ConnectionState/respond(apiBody:to:)``).
    static func apiResponse(_ body: String) -> [UInt8] {
        var frame = withAPIResponseHead(contentLength: body.utf8.count) { [UInt8]($0) }
        frame.append(contentsOf: body.utf8)
        return frame
    }

    /// The header block of an `api/response` with `contentLength` body
    /// bytes, in temporary memory: every `api` answer starts with it.
    static func withAPIResponseHead<Result>(contentLength: Int, _ use: (UnsafeRawBufferPointer) -> Result) -> Result {
        // 43 header bytes, at most 19 digits, two LFs.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            var end = apiResponseHead.withUTF8Buffer { buffer.initialize(fromContentsOf: $0) }
            var digits = 1
            var scale = 1
            while contentLength / scale >= 10 {
                digits += 1
                scale *= 10
            }
            var rest = contentLength
            var index = end + digits
            while index > end {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            end += digits
            buffer[end] = 0x0A
            buffer[end + 1] = 0x0A
            return use(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<(end + 2)])))
        }
    }

    private static var apiResponseHead: StaticString { "Content-Type: api/response\nContent-Length: " }

    /// The notice of a session-bound connection (ESL.md 3.5): disconnect
    /// with the goodbye body, or linger with `Linger-Time` and no body.
    static func sessionNotice(uuid: String, linger: (channelName: String, seconds: Int)?) -> [UInt8] {
        var text = "Content-Type: text/disconnect-notice\nControlled-Session-UUID: \(uuid)\n"
        if let linger {
            text += "Content-Disposition: linger\nChannel-Name: \(linger.channelName)\nLinger-Time: \(linger.seconds)\nContent-Length: 0\n\n"
            return Array(text.utf8)
        }
        text += "Content-Disposition: disconnect\nContent-Length: \(goodbyeText.utf8.count)\n\n\(goodbyeText)"
        return Array(text.utf8)
    }

    static func disconnectNotice(_ text: String = goodbyeText) -> [UInt8] {
        let bytes = Array(text.utf8)
        var frame = Array("Content-Type: text/disconnect-notice\nContent-Length: \(bytes.count)\n\n".utf8)
        frame.append(contentsOf: bytes)
        return frame
    }
}
