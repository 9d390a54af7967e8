import CGenesis

/// An event from FreeSWITCH, read in place from the bytes the engine received.
///
/// Headers are looked up case-insensitively, as FreeSWITCH does, and decoded
/// only when read; plain, JSON and XML events answer the same way.
///
/// ```swift
/// for try await event in client.events {
///     if event.name == "CHANNEL_ANSWER", let uuid = event.uniqueID {
///         print("answered", uuid, event["Caller-Caller-ID-Number"] ?? "")
///     }
/// }
/// ```
public struct ESLEvent: Sendable {
    let slab: Slab
    let frame: EventFrame

    package init(slab: Slab, frame: UnsafePointer<gen_frame>) {
        self.slab = slab
        self.frame = EventFrame(frame)
    }

    /// How the event was serialized, or nil for `log/data` frames.
    public var format: ESLEventFormat? {
        switch frame.frameKind {
        case GEN_FRAME_EVENT_PLAIN: .plain
        case GEN_FRAME_EVENT_JSON: .json
        case GEN_FRAME_EVENT_XML: .xml
        default: nil
        }
    }

    /// The frame's Content-Type (`text/event-plain`, `log/data`, …).
    public var contentType: String { slab.string(frame.contentType) }

    /// `Event-Name` (`CHANNEL_ANSWER`, `CUSTOM`, …). Absent on events that a
    /// socket received through `divert_events`.
    public var name: String? {
        // Plain events: the parser recorded where the first Event-Name is.
        guard frame.flags & UInt16(GEN_FRAME_F_WELL_KNOWN) != 0 else { return self["Event-Name"] }
        let span = frame.name
        guard span.off != 0 else { return nil }
        // Names are short upper-case words: read every event, they skip the
        // decoder's call (a memchr for '%') and the ARRAY:: prefix check.
        let raw = slab.bytes(span)
        if raw.count <= 32, raw.first != UInt8(ascii: "A") || raw.count < 7, !raw.contains(UInt8(ascii: "%")) {
            return String(decoding: raw, as: UTF8.self)
        }
        var header = gen_header()
        header.value = span
        header.encoding = UInt32(GEN_VALUE_URL.rawValue)
        return HeaderValue.first(header, in: slab)
    }

    /// `Event-Subclass` of CUSTOM events (`sofia::register`).
    public var subclass: String? { self["Event-Subclass"] }

    /// `Unique-ID`: the channel the event is about.
    public var uniqueID: String? { self["Unique-ID"] }

    /// `Job-UUID` of BACKGROUND_JOB events.
    public var jobUUID: String? { self["Job-UUID"] }

    /// The first header with this name (case-insensitive), decoded. For a
    /// multi-valued header, its first value: see ``values(_:)``.
    public subscript(_ name: String) -> String? {
        guard let header = find(name) else { return nil }
        return HeaderValue.first(header, in: slab)
    }

    /// Every value of a header: all its occurrences, with multi-valued
    /// headers (`ARRAY::a|:b`, JSON arrays, repeated XML elements) split.
    public func values(_ name: String) -> [String] {
        var result: [String] = []
        var cursor: UInt32 = 0
        var header = gen_header()
        while gen_header_next(slab.base, frame.eventHeaders, frame.kind, &cursor, &header) == 1 {
            if matches(header.name, name) {
                result += HeaderValue.elements(header, in: slab)
            }
        }
        return result
    }

    /// Every header in order, duplicates kept, values decoded (a multi-valued
    /// header gives one entry per value).
    public var headers: [ESLHeader] {
        var result: [ESLHeader] = []
        var cursor: UInt32 = 0
        var header = gen_header()
        while gen_header_next(slab.base, frame.eventHeaders, frame.kind, &cursor, &header) == 1 {
            let name = slab.string(header.name)
            for value in HeaderValue.elements(header, in: slab) {
                result.append(ESLHeader(name, value))
            }
        }
        return result
    }

    /// The event's body (BACKGROUND_JOB output, a CDR, a message text), or nil.
    public var body: String? {
        if frame.kind == UInt16(GEN_FRAME_LOG_DATA.rawValue) {
            return slab.string(frame.body)
        }
        guard frame.flags & UInt16(GEN_FRAME_F_EVENT_BODY) != 0 else { return nil }
        switch frame.frameKind {
        case GEN_FRAME_EVENT_JSON: return HeaderValue.json(frame.eventBody, in: slab)
        case GEN_FRAME_EVENT_XML: return HeaderValue.xml(frame.eventBody, in: slab)
        default: return slab.string(frame.eventBody)
        }
    }

    private func find(_ name: String) -> gen_header? {
        if frame.frameKind == GEN_FRAME_LOG_DATA {
            return FrameView.find(slab, frame.headers, UInt16(GEN_FRAME_OTHER.rawValue), name)
        }
        return FrameView.find(slab, frame.eventHeaders, frame.kind, name)
    }

    private func matches(_ span: gen_span, _ name: String) -> Bool {
        let bytes = slab.bytes(span)
        guard bytes.count == name.utf8.count else { return false }
        return zip(bytes, name.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    private func asciiLower(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte | 0x20 : byte
    }
}

extension ESLEvent: CustomStringConvertible {
    public var description: String {
        "ESLEvent(\(name ?? contentType)\(uniqueID.map { ", \($0)" } ?? ""))"
    }
}
