/// One line of FreeSWITCH's log as mod_event_socket sends it to a
/// connection that asked with `log <level>` (MES:socket_logger): a
/// `log/data` frame whose headers name the level, the text channel and the
/// C source that logged it, and whose body is the line.
struct SimulatorLogLine: Sendable {
    /// SWITCH_LOG_* (3 error, 4 warning, 5 notice, 6 info, 7 debug).
    var level: Int
    /// SWITCH_CHANNEL_ID_*: 0 a plain log call, 1 a "clean" one (the body
    /// without the date and level prefix), 3 a channel's or session's.
    var textChannel: Int
    var file: String
    var function: String
    var line: Int
    /// The channel's UUID (`User-Data`), empty for lines of no channel.
    var uuid: String
    var text: String

    static let notice = 5
    static let info = 6

    private static let levelNames = ["CONSOLE", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"]

    /// The frame, headers in mod_event_socket's order. Lines not "clean"
    /// carry switch_log's prefix: local date with microseconds, idle CPU,
    /// level and source.
    func frame(nowMicroseconds: Int64, idleCPU: Double) -> [UInt8] {
        var body = text
        if textChannel != 1 {
            let date = EventDateFormatter.local(microseconds: nowMicroseconds)
            let micros = String(nowMicroseconds % 1_000_000)
            let fraction = String(repeating: "0", count: 6 - micros.count) + micros
            let level = Self.levelNames[min(max(level, 0), Self.levelNames.count - 1)]
            body = "\(date).\(fraction) \(FixedPointText.format(idleCPU, decimals: 2))% [\(level)] \(file):\(line) \(text)"
        }
        body += "\n"
        let head = "Content-Type: log/data\nContent-Length: \(body.utf8.count)\nLog-Level: \(level)\n"
            + "Text-Channel: \(textChannel)\nLog-File: \(file)\nLog-Func: \(function)\nLog-Line: \(line)\n"
            + "User-Data: \(uuid)\n\n"
        return Array((head + body).utf8)
    }
}
