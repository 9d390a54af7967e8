/// A run of captured server frames between two markers, split into replies
/// and events (their relative order is timing-dependent on a real server).
struct CaptureWindow {
    let replies: [WireFrame]
    let events: [WireFrame]

    /// Frames from the first one (at or after `after`) satisfying `from`, up
    /// to but excluding the next one satisfying `upTo`.
    init(_ name: String, from: (WireFrame) -> Bool, upTo: (WireFrame) -> Bool) throws {
        let frames = WireFrame.split(try Capture.received(name))
        let start = frames.firstIndex(where: from)!
        let end = frames[start...].firstIndex(where: upTo) ?? frames.endIndex
        replies = frames[start..<end].filter { !$0.isEvent }
        events = frames[start..<end].filter(\.isEvent)
    }
}

extension WireFrame {
    func replies(_ prefix: String) -> Bool {
        header("Reply-Text")?.hasPrefix(prefix) == true
    }
}
