/// The `status` text in pieces that change at different rates, so a call
/// renders only what moved (`api status` is what round-trip benchmarks send):
/// the lines below `UP` change with the session counters, the `UP` line up
/// to its seconds once a second, only its milliseconds and microseconds
/// on every call.
struct StatusTextCache {
    private var tail: (sessions: SimulatorSessionCounters, bytes: [UInt8])?
    private var upToSeconds: (seconds: Int64, bytes: [UInt8])?

    /// The full `status` text: `UP <uptime>`, then what `renderTail` makes
    /// of `sessions` (rendered again only when they changed).
    mutating func text(
        uptimeMicroseconds: Int64,
        sessions: SimulatorSessionCounters,
        renderTail: (SimulatorSessionCounters) -> String
    ) -> String {
        let uptime = max(0, uptimeMicroseconds)
        let seconds = uptime / 1_000_000
        if tail?.sessions != sessions {
            tail = (sessions, Array(renderTail(sessions).utf8))
        }
        if upToSeconds?.seconds != seconds {
            var bytes = Array("UP ".utf8)
            UptimeText.appendWholeSeconds(seconds, to: &bytes)
            upToSeconds = (seconds, bytes)
        }
        guard let head = upToSeconds?.bytes, let tail = tail?.bytes else { return "" }
        // Written straight into the String's storage: the pieces are copied
        // once, the fraction never goes through an intermediate array.
        return String(unsafeUninitializedCapacity: head.count + UptimeText.fractionCapacity + 1 + tail.count) { buffer in
            var end = buffer.initialize(fromContentsOf: head)
            end = UptimeText.writeFraction(microseconds: uptime, into: buffer, at: end)
            buffer[end] = 0x0A
            end += 1
            let written = UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(fromContentsOf: tail)
            return end + written
        }
    }
}
