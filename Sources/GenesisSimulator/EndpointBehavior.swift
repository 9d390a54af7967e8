/// What a destination does when a call reaches it: a dialplan script run on
/// the called leg (the `-b` leg of a loopback pair), or a random script drawn
/// per call for load tests.
public enum EndpointBehavior: Sendable, Equatable {
    case script([DialplanStep])
    case random(RandomCallProfile)

    /// Answers after `milliseconds` (0: at once) and parks.
    public static func answer(afterMilliseconds milliseconds: Int = 0) -> EndpointBehavior {
        .script(milliseconds > 0
            ? [DialplanStep("sleep", String(milliseconds)), DialplanStep("answer"), DialplanStep("park")]
            : [DialplanStep("answer"), DialplanStep("park")])
    }

    /// Signals ringing (CHANNEL_PROGRESS), answers `milliseconds` later, parks.
    public static func ringThenAnswer(afterMilliseconds milliseconds: Int) -> EndpointBehavior {
        .script([DialplanStep("ring_ready"), DialplanStep("sleep", String(milliseconds)),
                 DialplanStep("answer"), DialplanStep("park")])
    }

    /// Early media for `milliseconds` (CHANNEL_PROGRESS_MEDIA), then answers and parks.
    public static func earlyMediaThenAnswer(afterMilliseconds milliseconds: Int) -> EndpointBehavior {
        .script([DialplanStep("pre_answer"), DialplanStep("sleep", String(milliseconds)),
                 DialplanStep("answer"), DialplanStep("park")])
    }

    /// Rings forever: only the originate timeout ends the attempt.
    public static let neverAnswer = EndpointBehavior.script([DialplanStep("ring_ready"), DialplanStep("park")])

    /// Refuses with `cause` (USER_BUSY, CALL_REJECTED, …) without answering.
    public static func reject(_ cause: String) -> EndpointBehavior {
        .script([DialplanStep("hangup", cause)])
    }

    /// Answers, talks for `milliseconds`, hangs up with NORMAL_CLEARING.
    public static func answerThenHangUp(afterMilliseconds milliseconds: Int) -> EndpointBehavior {
        .script([DialplanStep("answer"), DialplanStep("sleep", String(milliseconds)), DialplanStep("hangup")])
    }

    /// Answers, sends `digits` to the caller, parks.
    public static func answerThenSendDTMF(_ digits: String) -> EndpointBehavior {
        .script([DialplanStep("answer"), DialplanStep("send_dtmf", digits), DialplanStep("park")])
    }

    /// Hands the call to an outbound event socket (`host:port [async] [full]`).
    public static func socket(_ target: String) -> EndpointBehavior {
        .script([DialplanStep("socket", target)])
    }
}
