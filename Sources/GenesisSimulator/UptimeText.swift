/// FreeSWITCH's uptime wording, shared by `status` (`UP …`) and HEARTBEAT
/// (`Up-Time`): `0 years, 0 days, 0 hours, 1 minute, 37 seconds, 970
/// milliseconds, 316 microseconds`, singular only for exactly one.
enum UptimeText {
    static func describe(microseconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(112)
        append(microseconds: microseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the wording as bytes: `status` runs it on every api call,
    /// where building it from Strings was a quarter of the simulator's time.
    static func append(microseconds: Int64, to bytes: inout [UInt8]) {
        let total = max(0, microseconds)
        let seconds = total / 1_000_000
        appendPart(seconds / (365 * 86_400), "year", to: &bytes)
        appendPart(seconds % (365 * 86_400) / 86_400, "day", to: &bytes)
        appendPart(seconds % 86_400 / 3_600, "hour", to: &bytes)
        appendPart(seconds % 3_600 / 60, "minute", to: &bytes)
        appendPart(seconds % 60, "second", to: &bytes)
        appendPart(total % 1_000_000 / 1_000, "millisecond", to: &bytes)
        appendPart(total % 1_000, "microsecond", to: &bytes, last: true)
    }

    /// `<value> <unit>[s]` and, but for the last part, the `, ` after it.
    private static func appendPart(_ value: Int64, _ unit: StaticString, to bytes: inout [UInt8], last: Bool = false) {
        appendDecimal(value, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        unit.withUTF8Buffer { bytes += $0 }
        if value != 1 { bytes.append(UInt8(ascii: "s")) }
        if !last {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: " "))
        }
    }

    /// A non-negative number in decimal, without an intermediate String.
    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        guard value >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(max(0, value)))
            return
        }
        appendDecimal(value / 10, to: &bytes)
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
