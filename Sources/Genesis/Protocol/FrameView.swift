import CGenesis

/// A parsed frame in place: the slab that holds its bytes and the parser's
/// offsets. Nothing is copied or decoded until asked for.
package struct FrameView: Sendable {
    package let slab: Slab
    package let frame: gen_frame

    package init(slab: Slab, frame: gen_frame) {
        self.slab = slab
        self.frame = frame
    }

    package var kind: gen_frame_kind { gen_frame_kind(rawValue: UInt32(frame.kind)) }

    /// The first outer header named `name` (case-insensitive), raw.
    package func outerHeader(_ name: String) -> String? {
        guard let header = FrameView.find(slab, frame.headers, UInt16(GEN_FRAME_OTHER.rawValue), name) else {
            return nil
        }
        return slab.string(header.value)
    }

    package var replyText: String? {
        frame.reply_text.len > 0 ? slab.string(frame.reply_text) : nil
    }

    package var body: UnsafeRawBufferPointer { slab.bytes(frame.body) }

    package var bodyString: String { slab.string(frame.body) }

    /// Every outer header, raw, in order.
    package var outerHeaders: [ESLHeader] {
        var result: [ESLHeader] = []
        var cursor: UInt32 = 0
        var header = gen_header()
        while gen_header_next(slab.base, frame.headers, UInt16(GEN_FRAME_OTHER.rawValue), &cursor, &header) == 1 {
            result.append(ESLHeader(slab.string(header.name), slab.string(header.value)))
        }
        return result
    }

    static func find(_ slab: Slab, _ block: gen_span, _ format: UInt16, _ name: String) -> gen_header? {
        var header = gen_header()
        var name = name
        let found = name.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) {
                gen_header_find(slab.base, block, format, $0.baseAddress, $0.count, &header)
            }
        }
        return found == 1 ? header : nil
    }
}
