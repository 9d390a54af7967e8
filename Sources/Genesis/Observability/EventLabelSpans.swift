import CGenesis

/// Where an event's label values and `Event-Date-Timestamp` sit in the
/// slab: raw spans, not yet decoded, collected in one pass over its headers.
struct EventLabelSpans {
    /// One per label of `genesis_events_received_total`, in its order:
    /// Event-Name, Event-Subclass, Call-Direction, Channel-State,
    /// Answer-State, Hangup-Cause. A zero length means absent (or empty,
    /// which labels the same way).
    /// Six fields rather than an array: this struct is made once per event
    /// and must not allocate.
    var eventName = gen_span(), eventSubclass = gen_span(), callDirection = gen_span()
    var channelState = gen_span(), answerState = gen_span(), hangupCause = gen_span()
    var timestamp = gen_span()
    /// How the values are encoded (URL for plain events).
    var encoding = UInt32(GEN_VALUE_URL.rawValue)

    subscript(slot: Int) -> gen_span {
        get {
            switch slot {
            case 0: eventName
            case 1: eventSubclass
            case 2: callDirection
            case 3: channelState
            case 4: answerState
            default: hangupCause
            }
        }
        set {
            switch slot {
            case 0: eventName = newValue
            case 1: eventSubclass = newValue
            case 2: callDirection = newValue
            case 3: channelState = newValue
            case 4: answerState = newValue
            default: hangupCause = newValue
            }
        }
    }

    static let headerNames = [
        "Event-Name", "Event-Subclass", "Call-Direction", "Channel-State", "Answer-State", "Hangup-Cause",
    ]
    static let timestampName = "Event-Date-Timestamp"
}
