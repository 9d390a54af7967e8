/// FreeSWITCH's uptime wording, shared by `status` (`UP …`) and HEARTBEAT
/// (`Up-Time`): `0 years, 0 days, 0 hours, 1 minute, 37 seconds, 970
/// milliseconds, 316 microseconds`, singular only for exactly one.
enum UptimeText {
    static func describe(microseconds: Int64) -> String {
        let total = max(0, microseconds)
        let seconds = total / 1_000_000
        let parts: [(Int64, String)] = [
            (seconds / (365 * 86_400), "year"),
            (seconds % (365 * 86_400) / 86_400, "day"),
            (seconds % 86_400 / 3_600, "hour"),
            (seconds % 3_600 / 60, "minute"),
            (seconds % 60, "second"),
            (total % 1_000_000 / 1_000, "millisecond"),
            (total % 1_000, "microsecond"),
        ]
        // One buffer rather than a string per part (`status` runs per api call).
        var text = ""
        text.reserveCapacity(112)
        for (value, unit) in parts {
            if !text.isEmpty { text += ", " }
            text += String(value)
            text += " "
            text += unit
            if value != 1 { text += "s" }
        }
        return text
    }
}
