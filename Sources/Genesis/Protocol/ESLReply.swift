import CGenesis

/// FreeSWITCH's answer to one command: a `command/reply` (with its
/// `Reply-Text`) or an `api/response` (with its body).
public struct ESLReply: Sendable {
    package let view: FrameView

    package init(_ view: FrameView) {
        self.view = view
    }

    /// True for `api/response`, false for `command/reply`.
    public var isAPIResponse: Bool { view.kind == GEN_FRAME_API_RESPONSE }

    /// `Reply-Text` of a `command/reply` (`+OK accepted`, `-ERR invalid`, …).
    public var replyText: String? { view.replyText }

    /// The body of an `api/response`, exactly as FreeSWITCH wrote it.
    public var body: String { view.bodyString }

    /// `Job-UUID` of a `bgapi` reply.
    public var jobUUID: String? {
        view.frame.job_uuid.len > 0 ? view.slab.string(view.frame.job_uuid) : nil
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
            let body = view.body
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
