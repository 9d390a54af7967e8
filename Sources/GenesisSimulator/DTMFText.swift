/// Digit strings of `uuid_send_dtmf`, `uuid_recv_dtmf` and `send_dtmf`:
/// digits with an optional `@<ms>` duration per `+`-separated group
/// (SC:switch_channel_queue_dtmf_string). Durations are in samples at 8 kHz,
/// 2000 (250 ms) by default.
enum DTMFText {
    static func parse(_ text: String) -> [(digit: Character, duration: Int)] {
        var result: [(Character, Int)] = []
        for group in text.split(separator: "+") {
            let parts = group.split(separator: "@", maxSplits: 1)
            let duration = parts.count > 1 ? (Int(parts[1]) ?? 250) * 8 : 2_000
            for digit in parts.first ?? "" where "0123456789*#ABCDabcd".contains(digit) {
                result.append((digit, duration))
            }
        }
        return result
    }
}
