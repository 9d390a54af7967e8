import CGenesis

/// FreeSWITCH's answer to one command: a `command/reply` (with its
/// `Reply-Text`) or an `api/response` (with its body).
public struct ESLReply: Sendable {
    // The parts of the frame a reply reads, not the whole `gen_frame`
    // (140 bytes of spans, most of them for events): a reply is copied
    // several times on its way to the caller, and copying the full frame
    // showed in every round trip's cost.
    private let slab: Slab
    private let kind: UInt16
    private let headerBlock: gen_span
    private let bodySpan: gen_span
    private let replyTextSpan: gen_span
    private let jobUUIDSpan: gen_span

    package init(_ view: FrameView) {
        slab = view.slab
        kind = view.frame.kind
        headerBlock = view.frame.headers
        bodySpan = view.frame.body
        replyTextSpan = view.frame.reply_text
        jobUUIDSpan = view.frame.job_uuid
    }

    /// The reply as a frame view (the spans a reply keeps; the event ones
    /// are empty).
    package var view: FrameView {
        var frame = gen_frame()
        frame.kind = kind
        frame.headers = headerBlock
        frame.body = bodySpan
        frame.reply_text = replyTextSpan
        frame.job_uuid = jobUUIDSpan
        return FrameView(slab: slab, frame: frame)
    }

    /// True for `api/response`, false for `command/reply`.
    public var isAPIResponse: Bool { UInt32(kind) == GEN_FRAME_API_RESPONSE.rawValue }

    /// `Reply-Text` of a `command/reply` (`+OK accepted`, `-ERR invalid`, …).
    public var replyText: String? { replyTextSpan.len > 0 ? slab.string(replyTextSpan) : nil }

    /// The body of an `api/response`, exactly as FreeSWITCH wrote it.
    public var body: String { slab.string(bodySpan) }

    /// `Job-UUID` of a `bgapi` reply.
    public var jobUUID: String? {
        jobUUIDSpan.len > 0 ? slab.string(jobUUIDSpan) : nil
    }

    /// A header of the reply envelope (for example `Allowed-Events` after
    /// `userauth`), raw.
    public subscript(_ name: String) -> String? { view.outerHeader(name) }

    /// Every header of the reply envelope, in order.
    public var headers: [ESLHeader] { view.outerHeaders }

    /// Whether FreeSWITCH reports success: a `command/reply` whose text starts
    /// with `+OK`, or an `api/response` that does not start with `-ERR` or
    /// `-USAGE`.
    public var isSuccess: Bool {
        if isAPIResponse {
            let body = slab.bytes(bodySpan)
            // Most bodies do not start with '-': one byte decides.
            guard body.first == UInt8(ascii: "-") else { return true }
            return !(body.starts(with: "-ERR".utf8) || body.starts(with: "-USAGE".utf8))
        }
        return replyText?.hasPrefix("+OK") ?? false
    }

    /// The text that explains a failure: Reply-Text, or the api body without
    /// its final newline.
    public var failureText: String {
        if isAPIResponse {
            var text = body
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        return replyText ?? ""
    }
}
