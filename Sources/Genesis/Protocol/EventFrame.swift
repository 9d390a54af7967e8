import CGenesis

/// The parts of a parsed frame that an ``ESLEvent`` reads.
///
/// `gen_frame` is 140 bytes, half of them the well-known spans that only the
/// loop thread's metrics read; an event is copied into the read's batch and
/// out of it again on the consumer's side, so every byte kept here is paid
/// per event (the copies of whole frames were 7% of the loop thread at
/// a million events per second).
struct EventFrame: Sendable {
    let kind: UInt16
    let flags: UInt16
    let contentType: gen_span
    /// The outer header block and body: what a `log/data` frame or a linger
    /// disconnect notice is read from.
    let headers: gen_span
    let body: gen_span
    let eventHeaders: gen_span
    let eventBody: gen_span
    /// The first `Event-Name` value of a plain event (raw), when the parser
    /// recorded it (`GEN_FRAME_F_WELL_KNOWN`); off == 0 means absent.
    let name: gen_span

    /// Reads the fields in place, not a copy of the whole frame.
    init(_ frame: UnsafePointer<gen_frame>) {
        kind = frame.pointee.kind
        flags = frame.pointee.flags
        contentType = frame.pointee.content_type
        headers = frame.pointee.headers
        body = frame.pointee.body
        eventHeaders = frame.pointee.event_headers
        eventBody = frame.pointee.event_body
        name = frame.pointee.well_known.0
    }

    var frameKind: gen_frame_kind { gen_frame_kind(rawValue: UInt32(kind)) }
}
