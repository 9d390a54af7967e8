import CGenesis

/// The channel data FreeSWITCH sends in reply to an outbound session's
/// `connect`: the channel's headers and `variable_*` values at connect time.
///
/// The reply's header block (a few KiB) is kept as received and a value is
/// found and URL-decoded only when asked for: an application reads a handful
/// of the hundred-odd headers, and 10,000 held sessions should not each keep
/// a decoded dictionary of all of them. Names match case-insensitively, as
/// FreeSWITCH's own lookups do; a repeated name yields its first value.
///
/// ```swift
/// let caller = session.channelData["Caller-Caller-ID-Number"] ?? "anonymous"
/// ```
public struct ChannelData: Sendable {
    private let slab: Slab
    private let block: gen_span

    /// Copies the header block out of `reply` into a buffer of its own size,
    /// so the read buffer it arrived in is not held for the session's life.
    init(reply: ESLReply) {
        let source = reply.view.slab.bytes(reply.view.frame.headers)
        guard let raw = gen_slab_create(UInt32(max(source.count, 1))) else {
            // Out of memory for a few KiB: keep the reply's own buffer instead.
            slab = reply.view.slab
            block = reply.view.frame.headers
            return
        }
        // A fresh slab nobody else sees yet: writing it is the creator's right.
        let target = UnsafeMutableRawPointer(mutating: gen_slab_data(raw)!)
        if let base = source.baseAddress { target.copyMemory(from: base, byteCount: source.count) }
        slab = Slab(adopting: raw)
        block = gen_span(off: 0, len: UInt32(source.count))
    }

    /// The first value of the header `name`, URL-decoded.
    public subscript(_ name: String) -> String? {
        var header = gen_header()
        var name = name
        let found = name.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                gen_header_find(slab.base, block, UInt16(GEN_FRAME_EVENT_PLAIN.rawValue), $0.baseAddress, $0.count, &header)
            }
        }
        guard found == 1 else { return nil }
        return HeaderValue.first(header, in: slab)
    }

    /// A channel variable (`variable_<name>`).
    public func variable(_ name: String) -> String? { self["variable_\(name)"] }

    /// Every header in order, decoded (repeated names appear repeatedly).
    public var headers: [ESLHeader] {
        var result: [ESLHeader] = []
        forEachHeader { name, header in result.append(ESLHeader(name, HeaderValue.first(header, in: slab))) }
        return result
    }

    /// Every header as a dictionary (the first value of a repeated name).
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        forEachHeader { name, header in
            if result[name] == nil { result[name] = HeaderValue.first(header, in: slab) }
        }
        return result
    }

    private func forEachHeader(_ body: (String, gen_header) -> Void) {
        var cursor: UInt32 = 0
        var header = gen_header()
        while gen_header_next(slab.base, block, UInt16(GEN_FRAME_EVENT_PLAIN.rawValue), &cursor, &header) == 1 {
            body(slab.string(header.name), header)
        }
    }
}
