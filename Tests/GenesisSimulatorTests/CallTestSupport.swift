import GenesisSimulator
import Testing

/// Plain events decoded into header lists (values URL-decoded), for call tests.
struct DecodedEvent: CustomStringConvertible {
    let headers: [(String, String)]

    init(headers: [(String, String)]) {
        self.headers = headers.map { ($0.0, Self.percentDecoded($0.1)) }
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else {
                bytes.append(byte)
                continue
            }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first value of `name` (some headers, like `Hangup-Cause`, repeat).
    subscript(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }

    var name: String { self["Event-Name"] ?? "" }
    var uuid: String { self["Unique-ID"] ?? "" }
    var description: String { "\(name) \(self["Channel-Name"] ?? "")" }

    static func decode(_ bytes: [UInt8]) -> [DecodedEvent] {
        CallEventSequenceTests.events(bytes).map { DecodedEvent(headers: $0) }
    }
}

extension RecordingLink {
    var events: [DecodedEvent] { DecodedEvent.decode(bytes) }

    /// Bodies of the `api/response` frames, in order.
    var apiBodies: [String] {
        frames.filter { $0.contentType == "api/response" }.map(\.bodyText)
    }

    /// Bodies of BACKGROUND_JOB events, in order.
    var jobResults: [String] {
        frames.filter { $0.contentType == "text/event-plain" }.compactMap { frame -> String? in
            let text = frame.bodyText
            guard text.contains("Event-Name: BACKGROUND_JOB\n"),
                  let split = text.firstRange(of: "\n\n") else { return nil }
            return String(text[split.upperBound...])
        }
    }
}

extension SimulatorConnection {
    /// Runs one `api` command and returns its reply body (what the link
    /// received for it), leaving the link empty.
    func api(_ command: String, on link: RecordingLink) -> String {
        link.reset()
        send("api \(command)")
        defer { link.reset() }
        return link.apiBodies.last ?? ""
    }

    /// `sendmsg <uuid>` with `call-command: execute`.
    func execute(_ uuid: String, _ application: String, _ argument: String, eventUUID: String? = nil) {
        var command = "sendmsg \(uuid)\ncall-command: execute\nexecute-app-name: \(application)\nexecute-app-arg: \(argument)\nevent-lock: true"
        if let eventUUID { command += "\nEvent-UUID: \(eventUUID)" }
        send(command)
    }
}

/// Waits until `condition` holds, polling; false at the deadline.
func eventually(within limit: Duration, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
