/// What the connection asked FreeSWITCH to send, as far as the library
/// needs to know: the event format, and whether BACKGROUND_JOB events come.
///
/// FreeSWITCH delivers a `bgapi` result only to listeners subscribed to
/// BACKGROUND_JOB, and every `event <format>` switches the whole connection
/// to that format; so `bgapi` subscribes by itself when needed, in the format
/// the application already chose.
struct SubscriptionState {
    private(set) var format = "plain"
    private(set) var deliversBackgroundJobs = false

    /// Follows a command FreeSWITCH accepted.
    mutating func apply(acceptedLine line: String) {
        let words = line.split(separator: " ")
        guard let verb = words.first?.lowercased() else { return }
        switch verb {
        case "event":
            var names = words.dropFirst()
            if let first = names.first, ["plain", "json", "xml"].contains(first.lowercased()) {
                format = first.lowercased()
                names = names.dropFirst()
            }
            if names.contains(where: { $0 == "ALL" || $0 == "BACKGROUND_JOB" }) {
                deliversBackgroundJobs = true
            }
        case "myevents":
            // Session-bound listeners get their own jobs' results.
            deliversBackgroundJobs = true
        case "nixevent":
            if words.dropFirst().contains(where: { $0 == "ALL" || $0 == "BACKGROUND_JOB" }) {
                deliversBackgroundJobs = false
            }
        case "noevents":
            deliversBackgroundJobs = false
        default:
            break
        }
    }
}
