import GenesisSimulator
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The application side of an outbound socket against capture 08 (FreeSWITCH
/// 1.10.12 dialling `socket 127.0.0.1:9000 async full`): the test is the
/// application, listening on a real TCP port; the simulator dials it after
/// `bgapi originate loopback/5000/default &park`, and the test replays the
/// capture's commands (connect, myevents, linger, sendmsg answer, sendmsg
/// hangup, exit) and compares what comes back.
@Suite struct OutboundSocketCaptureTests {
    static let capture = "08_outbound_socket_connect_answer_hangup"

    /// Header names of a frame's header block, in order.
    static func names(_ frame: WireFrame) -> [String] {
        frame.headerText.split(separator: "\n").compactMap { line in
            line.firstIndex(of: ":").map { String(line[..<$0]) }
        }
    }

    /// `Event-Name` of a plain event frame.
    static func eventName(_ frame: WireFrame) -> String {
        DecodedEvent.decode(frame.raw).first?.name ?? ""
    }

    /// What the application sees of one exchange: the reply frames and the
    /// event names, in arrival order, as comparable text.
    static func summary(_ frame: WireFrame) -> String {
        if frame.isEvent { return "event \(eventName(frame))" }
        switch frame.contentType {
        case "command/reply": return "reply \(frame.header("Reply-Text") ?? "")"
        case "text/disconnect-notice":
            let values = names(frame).filter { $0 != "Controlled-Session-UUID" }.map { "\($0): \(frame.header($0) ?? "")" }
            let uuid = frame.header("Controlled-Session-UUID").map { _ in "Controlled-Session-UUID, " } ?? ""
            return "notice \(uuid)\(values.joined(separator: ", ")) body \(frame.bodyText.debugDescription)"
        default: return "other \(frame.contentType)"
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func connectAnswerHangupMatchesCapture08() throws {
        let listener = try TestListener()
        defer { listener.close() }
        var configuration = SimulatorConfiguration(coreUUID: "08f56e68-f1f1-4301-a9e3-a5d84f52edb6")
        configuration.hostname = "vm"
        configuration.ipv4 = "192.0.2.2"
        configuration.ipv6 = "fd00::2"
        // FreeSWITCH parks 1-20 ms after `connect`, after the application's
        // first three commands (sent within 0.4 ms in the capture); a debug
        // build on a loaded machine needs far more room for those.
        configuration.outboundParkDelay = .seconds(1)
        let directory = try EndpointDirectory.parse(
            "5000: set test_ext=outbound_socket; socket 127.0.0.1:\(listener.port) async full")
        let simulator = SimulatorSwitch(configuration: configuration, directory: directory)
        let (inbound, inboundLink) = connect(simulator)
        inbound.send("event plain BACKGROUND_JOB")
        inboundLink.reset()
        inbound.send("bgapi originate loopback/5000/default &park")
        #expect(inboundLink.frames.first?.header("Reply-Text")?.hasPrefix("+OK Job-UUID: ") == true)

        let captured = WireFrame.split(try Capture.received(Self.capture))
        let commands = try Capture.commands(Self.capture, from: "connect")
        #expect(commands.map { $0.block.split(separator: "\n").first.map(String.init) ?? "" }
                == ["connect", "myevents", "linger", "sendmsg", "sendmsg", "exit"])

        let application = try listener.accept(within: .seconds(10))
        defer { application.close() }

        // FreeSWITCH sends nothing before `connect`.
        #expect(try application.readFrame(within: .milliseconds(200)) == nil)

        // connect: CHANNEL_DATA as the header block plus the four reply headers.
        try application.write(commands[0].block)
        let reply = try #require(try application.readFrame(within: .seconds(5)))
        // Like the capture's application, subscribe at once (0.2 ms after the
        // reply there); the comparisons below take a while in a debug build.
        let capturedRest = captured.dropFirst().map(Self.summary)
        var received: [String] = []
        var eventBytes: [UInt8] = []
        func exchange(_ command: (block: String, body: [UInt8]?), until last: (WireFrame) -> Bool) throws {
            try application.write(command.block)
            while true {
                guard let frame = try application.readFrame(within: .seconds(5)) else {
                    Issue.record("exchange after \(command.block.debugDescription) incomplete; got \(received)")
                    throw Timeout()
                }
                received.append(Self.summary(frame))
                if frame.isEvent { eventBytes += frame.raw }
                if last(frame) { return }
            }
        }
        try exchange(commands[1]) { $0.contentType == "command/reply" }
        let capturedReply = captured[0]
        let isVariable = { (name: String) in name.hasPrefix("variable_") }
        #expect(Self.names(reply).filter { !isVariable($0) } == Self.names(capturedReply).filter { !isVariable($0) })
        // The variables are the capture's plus `last_app`, in another order
        // (docs/SIMULATOR.md, "Remaining differences and why").
        #expect(Set(Self.names(reply).filter(isVariable))
                == Set(Self.names(capturedReply).filter(isVariable)).union(["variable_last_app"]))
        #expect(Self.names(reply).suffix(4) == ["Content-Type", "Reply-Text", "Socket-Mode", "Control"])
        for name in ["Event-Name", "Content-Type", "Reply-Text", "Socket-Mode", "Control", "Channel-State",
                     "Channel-Call-State", "Channel-State-Number", "Answer-State", "Call-Direction",
                     "Channel-Direction", "Channel-Name", "Channel-Destination-Number", "Channel-Source",
                     "Channel-Context", "Channel-Callee-ID-Name", "Event-Calling-Function",
                     "variable_test_ext", "variable_current_application", "variable_current_application_data",
                     "variable_socket_host", "variable_loopback_leg"] {
            let expected = name == "variable_current_application_data"
                ? "127.0.0.1%3A\(listener.port)%20async%20full" : capturedReply.header(name)
            #expect(reply.header(name) == expected, "\(name)")
        }
        #expect(reply.body.isEmpty && reply.header("Content-Length") == nil)
        #expect(reply.header("Unique-ID") == reply.header("Channel-Call-UUID"))

        // Every later command, with everything the application receives up to
        // the frame that ends the exchange in the capture.
        try exchange(commands[2]) { $0.contentType == "command/reply" }
        try exchange(commands[3]) { Self.eventName($0) == "CHANNEL_EXECUTE_COMPLETE" }
        try exchange(commands[4]) { $0.contentType == "text/disconnect-notice" }
        // The capture waits 2 s here: the lingering session stays open and quiet.
        let early = try application.readFrame(within: .milliseconds(300))
        #expect(early == nil)
        if let early { received.append(Self.summary(early)) }
        try exchange(commands[5]) { $0.contentType == "text/disconnect-notice" }
        #expect(received == Array(capturedRest))
        // Each event's Channel-State, state number, call state, Answer-State
        // and non-variable header names, as the other capture tests compare.
        CallEventSequenceTests.compare(simulated: eventBytes, captured: try Capture.received(Self.capture))
        // Then FreeSWITCH closes the socket.
        #expect(try application.readEndOfStream(within: .seconds(5)))

        // The lingered channel is gone and the originating side got its job result.
        #expect(simulator.calls.channelCount == 0)
        #expect(inboundLink.jobResults.first?.hasPrefix("+OK ") == true)
        inbound.send("exit")
    }
}

struct Timeout: Error {}

/// A listening TCP socket on 127.0.0.1 with an ephemeral port.
final class TestListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Timeout() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 4) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { closeDescriptor(descriptor); throw Timeout() }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    func accept(within limit: Duration) throws -> TestStream {
        guard waitReadable(descriptor, within: limit) else { throw Timeout() }
        let stream = acceptConnection(descriptor)
        guard stream >= 0 else { throw Timeout() }
        return TestStream(descriptor: stream)
    }

    func close() { closeDescriptor(descriptor) }
}

private func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }
private func acceptConnection(_ descriptor: Int32) -> Int32 { accept(descriptor, nil, nil) }

/// Whether `descriptor` becomes readable (data or end of stream) in time.
private func waitReadable(_ descriptor: Int32, within limit: Duration) -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    let milliseconds = Int32(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)
    return poll(&entry, 1, milliseconds) == 1
}

/// The application's end of one outbound socket, read frame by frame.
final class TestStream {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var ended = false

    init(descriptor: Int32) { self.descriptor = descriptor }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == bytes.count else { throw Timeout() }
    }

    /// Reads more bytes; false at the deadline or end of stream.
    private func fill(until deadline: ContinuousClock.Instant) -> Bool {
        let left = deadline - ContinuousClock.now
        guard !ended, left > .zero, waitReadable(descriptor, within: left) else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { ended = true; return false }
        buffer += chunk[0..<count]
        return true
    }

    /// The next complete frame (header block, then Content-Length bytes), or
    /// nil if none is complete by the deadline.
    func readFrame(within limit: Duration) throws -> WireFrame? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let end = buffer.firstRange(of: [0x0A, 0x0A]) {
                let probe = WireFrame.split(Array(buffer[..<end.upperBound]))
                let length = probe.first?.header("Content-Length").flatMap { Int($0) } ?? 0
                if buffer.count >= end.upperBound + length {
                    let frame = WireFrame.split(Array(buffer[..<(end.upperBound + length)])).first
                    buffer.removeFirst(end.upperBound + length)
                    return frame
                }
            }
            if !fill(until: deadline) { return nil }
        }
    }

    /// True when the peer closes with nothing more to read.
    func readEndOfStream(within limit: Duration) throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while fill(until: deadline) {}
        return ended && buffer.isEmpty
    }

    func close() { closeDescriptor(descriptor) }
}
