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
        return parts.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }.joined(separator: ", ")
    }
}
