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

    /// Appends the wording as bytes (HEARTBEAT's `Up-Time`; `status` uses
    /// the two parts apart, see ``StatusTextCache``).
    static func append(microseconds: Int64, to bytes: inout [UInt8]) {
        let total = max(0, microseconds)
        appendWholeSeconds(total / 1_000_000, to: &bytes)
        appendFraction(microseconds: total, to: &bytes)
    }

    /// The years-to-seconds part, with the `, ` after the seconds: the part
    /// `status` can keep for a whole second (see ``StatusTextCache``).
    static func appendWholeSeconds(_ seconds: Int64, to bytes: inout [UInt8]) {
        appendPart(seconds / (365 * 86_400), "year", to: &bytes)
        appendPart(seconds % (365 * 86_400) / 86_400, "day", to: &bytes)
        appendPart(seconds % 86_400 / 3_600, "hour", to: &bytes)
        appendPart(seconds % 3_600 / 60, "minute", to: &bytes)
        appendPart(seconds % 60, "second", to: &bytes)
    }

    /// The milliseconds and microseconds of a non-negative uptime.
    static func appendFraction(microseconds total: Int64, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: fractionCapacity) { buffer in
            let end = writeFraction(microseconds: total, into: buffer, at: 0)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<end]))
        }
    }

    /// The most bytes ``writeFraction(microseconds:into:at:)`` writes.
    static var fractionCapacity: Int { 3 + millisecondsWord.utf8CodeUnitCount + 3 + microsecondsWord.utf8CodeUnitCount }

    /// Writes the fraction (`970 milliseconds, 316 microseconds`) at
    /// `index`, returning the index after it: `status` does this on every
    /// call, so digit by digit into memory it already has.
    static func writeFraction(microseconds total: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>,
                              at index: Int) -> Int {
        let milliseconds = Int(total % 1_000_000 / 1_000)
        let microseconds = Int(total % 1_000)
        var end = writeBelowThousand(milliseconds, into: buffer, at: index)
        end = write(milliseconds == 1 ? millisecondWord : millisecondsWord, into: buffer, at: end)
        end = writeBelowThousand(microseconds, into: buffer, at: end)
        return write(microseconds == 1 ? microsecondWord : microsecondsWord, into: buffer, at: end)
    }

    private static var millisecondWord: StaticString { " millisecond, " }
    private static var millisecondsWord: StaticString { " milliseconds, " }
    private static var microsecondWord: StaticString { " microsecond" }
    private static var microsecondsWord: StaticString { " microseconds" }

    private static func writeBelowThousand(_ value: Int, into buffer: UnsafeMutableBufferPointer<UInt8>,
                                           at index: Int) -> Int {
        var end = index
        if value >= 100 {
            buffer[end] = UInt8(ascii: "0") + UInt8(value / 100)
            end += 1
        }
        if value >= 10 {
            buffer[end] = UInt8(ascii: "0") + UInt8(value / 10 % 10)
            end += 1
        }
        buffer[end] = UInt8(ascii: "0") + UInt8(value % 10)
        return end + 1
    }

    private static func write(_ word: StaticString, into buffer: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        word.withUTF8Buffer { bytes in
            precondition(index + bytes.count <= buffer.count)
            (buffer.baseAddress! + index).initialize(from: bytes.baseAddress!, count: bytes.count)
            return index + bytes.count
        }
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
        var value = max(0, value)
        // Digits land backwards in a fixed buffer (Int64 has at most 19).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
