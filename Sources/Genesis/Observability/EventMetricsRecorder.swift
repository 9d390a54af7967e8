import CGenesis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the events of one connection by their labels and measures their
/// lag, on the engine's loop thread, without making a string per event.
///
/// The six label values and `Event-Date-Timestamp` are raw spans in the
/// slab. For plain events (the common case) the frame parser recorded them
/// while it walked the inner header lines (`gen_frame.well_known`), so no
/// second pass is made here; JSON and XML events go through the generic
/// `gen_header_next`. The raw bytes of the six values are the cache key: a
/// repeated combination (almost every event) costs a hash and a comparison;
/// only a new one is decoded into strings and resolved in the registry.
///
/// The cache belongs to one connection, or to connections that share one
/// loop thread (an outbound server's sessions), and is touched only by their
/// loop-thread callbacks, so it takes no lock; it lives in manually allocated
/// memory so that the hot path pays no exclusivity checks.
package final class EventMetricsRecorder: @unchecked Sendable {
    private final class Entry {
        let kind: UInt16
        let values: [[UInt8]]
        let counter: MetricCounter
        let isHeartbeat: Bool

        init(kind: UInt16, values: [[UInt8]], counter: MetricCounter, isHeartbeat: Bool) {
            self.kind = kind
            self.values = values
            self.counter = counter
            self.isHeartbeat = isHeartbeat
        }
    }

    /// Direct-mapped: a slot holds the last combination that hashed to it.
    /// Label combinations are few, so collisions are rare, and a collision
    /// only costs a new resolution.
    /// A power of two. An inbound connection sees the whole switch's label
    /// combinations, and so do an outbound server's sessions together: they
    /// share one cache, so that 10,000 sessions do not each carry a table.
    private let slotCount: Int
    private let slots: UnsafeMutablePointer<Entry?>
    private let lag = GenesisMetrics.eventLag.series()
    /// The first 8 bytes of each interesting header name, and the names.
    private let prefixes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private let names: [[UInt8]]
    /// Heartbeats are forwarded to observability servers at most once a
    /// second per connection (their window is 30 s), not once per event.
    private var lastHeartbeatMicroseconds: Int64 = 0

    package init(slotCount: Int = 1024) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "slotCount must be a power of two")
        self.slotCount = slotCount
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
        names = Self.names
        prefixes = Self.prefixes
    }

    private static let names = (EventLabelSpans.headerNames + [EventLabelSpans.timestampName]).map { Array($0.utf8) }
    private static let prefixes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = {
        let prefix = names.map { name in name.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        return (prefix[0], prefix[1], prefix[2], prefix[3], prefix[4], prefix[5], prefix[6])
    }()

    deinit {
        slots.deinitialize(count: slotCount)
        slots.deallocate()
    }

    /// Records every event frame of a batch. The wall clock is read once: the
    /// whole batch came out of one socket read.
    package func record(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) {
        guard gen_metrics_enabled() != 0 else { return }
        var now: Int64 = 0
        // Through the pointer: no copy of each 140-byte frame.
        for index in frames.indices {
            let frame = frames.baseAddress! + index
            var spans = EventLabelSpans()
            switch UInt32(frame.pointee.kind) {
            case GEN_FRAME_EVENT_PLAIN.rawValue:
                if frame.pointee.flags & UInt16(GEN_FRAME_F_WELL_KNOWN) != 0 {
                    // The parser recorded the spans on its own pass.
                    let known = frame.pointee.well_known
                    spans.eventName = known.0
                    spans.eventSubclass = known.1
                    spans.callDirection = known.2
                    spans.channelState = known.3
                    spans.answerState = known.4
                    spans.hangupCause = known.5
                    spans.timestamp = known.6
                } else {
                    scanPlain(slab.base, frame.pointee.event_headers, &spans)
                }
            case GEN_FRAME_EVENT_JSON.rawValue, GEN_FRAME_EVENT_XML.rawValue:
                scanGeneric(slab.base, frame.pointee, &spans)
            default:
                continue
            }
            if now == 0 { now = Self.wallClockMicroseconds() }
            let entry = self.entry(for: spans, kind: frame.pointee.kind, slab: slab)
            entry.counter.increment()
            if spans.timestamp.len > 0, let sent = Self.integer(spans.timestamp, slab.base) {
                lag.observe(Double(max(0, now - sent)) / 1e6)
            }
            if entry.isHeartbeat, now - lastHeartbeatMicroseconds >= 1_000_000 {
                lastHeartbeatMicroseconds = now
                ObservabilityServer.heartbeatArrived()
            }
        }
    }

    /// `Name: value` lines; FreeSWITCH writes names in canonical case. Most
    /// lines are skipped after one `memchr` and seven integer comparisons of
    /// their first 8 bytes; only a prefix match is checked in full.
    private func scanPlain(_ base: UnsafePointer<CChar>, _ block: gen_span, _ spans: inout EventLabelSpans) {
        let raw = UnsafeRawPointer(base)
        var position = Int(block.off)
        let end = position + Int(block.len)
        var missing = 7
        let (p0, p1, p2, p3, p4, p5, p6) = prefixes
        while position < end, missing > 0 {
            let lineStart = position
            let lineEnd = memchr(raw + position, 0x0A, end - position).map {
                raw.distance(to: UnsafeRawPointer($0))
            } ?? end
            position = lineEnd + 1
            guard lineEnd - lineStart > 10 else { continue }
            let prefix = raw.loadUnaligned(fromByteOffset: lineStart, as: UInt64.self)
            let slot: Int
            if prefix == p0 { slot = 0 } else if prefix == p1 { slot = 1 } else if prefix == p2 { slot = 2 }
            else if prefix == p3 { slot = 3 } else if prefix == p4 { slot = 4 } else if prefix == p5 { slot = 5 }
            else if prefix == p6 { slot = 6 } else { continue }
            if take(slot, raw, lineStart, lineEnd, &spans) { missing -= 1 }
        }
    }

    /// A line whose first 8 bytes match header `slot`: checks the whole
    /// name and records the value's span unless one was found before.
    @inline(never)
    private func take(
        _ slot: Int, _ raw: UnsafeRawPointer, _ lineStart: Int, _ lineEnd: Int, _ spans: inout EventLabelSpans
    ) -> Bool {
        let name = names[slot]
        guard lineEnd - lineStart > name.count,
              raw.load(fromByteOffset: lineStart + name.count, as: UInt8.self) == 0x3A,
              name.withUnsafeBytes({ memcmp(raw + lineStart + 8, $0.baseAddress! + 8, name.count - 8) }) == 0
        else { return false }
        var valueStart = lineStart + name.count + 1
        var valueEnd = lineEnd
        while valueStart < valueEnd, raw.load(fromByteOffset: valueStart, as: UInt8.self) == 0x20 {
            valueStart += 1
        }
        if valueEnd > valueStart, raw.load(fromByteOffset: valueEnd - 1, as: UInt8.self) == 0x0D { valueEnd -= 1 }
        let value = gen_span(off: UInt32(valueStart), len: UInt32(valueEnd - valueStart))
        if slot == 6 {
            guard spans.timestamp.len == 0 else { return false }
            spans.timestamp = value
        } else {
            guard spans[slot].len == 0 else { return false }
            spans[slot] = value
        }
        return true
    }

    /// JSON and XML events, through the engine's header iterator.
    private func scanGeneric(_ base: UnsafePointer<CChar>, _ frame: gen_frame, _ spans: inout EventLabelSpans) {
        var cursor: UInt32 = 0
        var header = gen_header()
        while gen_header_next(base, frame.event_headers, frame.kind, &cursor, &header) == 1 {
            guard let slot = names.firstIndex(where: { matches(header.name, $0, base) }) else { continue }
            if header.encoding == UInt32(GEN_VALUE_JSON_ARRAY.rawValue) { continue }
            spans.encoding = header.encoding
            if slot == 6 {
                if spans.timestamp.len == 0 { spans.timestamp = header.value }
            } else if spans[slot].len == 0 {
                spans[slot] = header.value
            }
        }
    }

    private func entry(for spans: EventLabelSpans, kind: UInt16, slab: Slab) -> Entry {
        let raw = UnsafeRawPointer(slab.base)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(kind)
        for slot in 0..<6 {
            let value = spans[slot]
            var offset = Int(value.off)
            for _ in 0..<Int(value.len) {
                hash = (hash ^ UInt64(raw.load(fromByteOffset: offset, as: UInt8.self))) &* 0x100_0000_01b3
                offset += 1
            }
            hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        }
        let index = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & (slotCount - 1)
        if let entry = slots[index], entry.kind == kind, same(entry.values, spans, raw) {
            return entry
        }
        let entry = resolve(spans, kind: kind, slab: slab)
        slots[index] = entry
        return entry
    }

    private func same(_ stored: [[UInt8]], _ spans: EventLabelSpans, _ raw: UnsafeRawPointer) -> Bool {
        for slot in 0..<6 {
            let span = spans[slot]
            let bytes = stored[slot]
            guard bytes.count == Int(span.len) else { return false }
            if span.len > 0,
               bytes.withUnsafeBytes({ memcmp($0.baseAddress!, raw + Int(span.off), bytes.count) }) != 0 {
                return false
            }
        }
        return true
    }

    /// A combination not seen before: decode and resolve (rare).
    private func resolve(_ spans: EventLabelSpans, kind: UInt16, slab: Slab) -> Entry {
        var labels: [String] = []
        var values: [[UInt8]] = []
        for slot in 0..<6 {
            let span = spans[slot]
            values.append(Array(slab.bytes(span)))
            if span.len == 0 {
                labels.append("")
            } else {
                var header = gen_header()
                header.value = span
                header.encoding = spans.encoding
                labels.append(HeaderValue.first(header, in: slab))
            }
        }
        return Entry(
            kind: kind, values: values, counter: GenesisMetrics.eventsReceived.series(labels),
            isHeartbeat: labels[0] == "HEARTBEAT")
    }

    private func matches(_ span: gen_span, _ name: [UInt8], _ base: UnsafePointer<CChar>) -> Bool {
        guard Int(span.len) == name.count else { return false }
        return name.withUnsafeBytes { memcmp(base + Int(span.off), $0.baseAddress!, name.count) } == 0
    }

    /// Microseconds since the epoch, as FreeSWITCH writes them.
    private static func integer(_ span: gen_span, _ base: UnsafePointer<CChar>) -> Int64? {
        guard span.len <= 18 else { return nil }
        var value: Int64 = 0
        for offset in 0..<Int(span.len) {
            let digit = UInt8(bitPattern: base[Int(span.off) + offset]) &- 0x30
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        return value
    }

    private static func wallClockMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}
