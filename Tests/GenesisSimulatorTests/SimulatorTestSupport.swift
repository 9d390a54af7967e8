import GenesisSimulator
import Genesis
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A link that keeps every byte written, for asserting wire output.
final class RecordingLink: SimulatorLink {
    private struct State {
        var bytes: [UInt8] = []
        var closed = false
        var bursts: [(frame: [UInt8], count: Int)] = []
    }

    private let state = Lock(State())

    func write(_ bytes: [UInt8]) {
        state.withLock { $0.bytes.append(contentsOf: bytes) }
    }

    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.bursts.append((bytes, count))
            for _ in 0..<count { state.bytes.append(contentsOf: bytes) }
        }
        completion()
    }

    func close() {
        state.withLock { $0.closed = true }
    }

    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var isClosed: Bool { state.withLock { $0.closed } }
    var burstCount: Int { state.withLock { $0.bursts.count } }
    var frames: [WireFrame] { WireFrame.split(bytes) }

    /// Forgets what was written so far (to look at one exchange at a time).
    func reset() {
        state.withLock { $0.bytes.removeAll() }
    }
}

/// One server frame, split the way a client does: header block up to the
/// blank line, then exactly Content-Length body bytes.
struct WireFrame: Equatable, CustomStringConvertible {
    let raw: [UInt8]
    let headerText: String
    let body: [UInt8]

    var contentType: String { header("Content-Type") ?? "" }
    var isEvent: Bool { contentType.hasPrefix("text/event-") }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
    var description: String { String(decoding: raw, as: UTF8.self) }

    func header(_ name: String) -> String? {
        for line in headerText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return String(line[line.index(colon, offsetBy: 2)...])
            }
        }
        return nil
    }

    static func split(_ bytes: [UInt8]) -> [WireFrame] {
        var frames: [WireFrame] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end + 1 < bytes.count, !(bytes[end] == 0x0A && bytes[end + 1] == 0x0A) { end += 1 }
            guard end + 1 < bytes.count else { break }
            let headerText = String(decoding: bytes[start..<end], as: UTF8.self)
            var frameEnd = end + 2
            let probe = WireFrame(raw: [], headerText: headerText, body: [])
            if let length = probe.header("Content-Length").flatMap({ Int($0) }) {
                frameEnd = min(bytes.count, frameEnd + length)
            }
            frames.append(WireFrame(
                raw: Array(bytes[start..<frameEnd]), headerText: headerText,
                body: Array(bytes[(end + 2)..<frameEnd])))
            start = frameEnd
        }
        return frames
    }
}

/// The captured sessions of the real FreeSWITCH 1.10.12 (Tests/Fixtures).
enum Capture {
    static func received(_ name: String) throws -> [UInt8] {
        try read("\(name).rx.raw")
    }

    static func sent(_ name: String) throws -> [UInt8] {
        try read("\(name).tx.raw")
    }

    private static func read(_ file: String) throws -> [UInt8] {
        let directory = String(#filePath.split(separator: "/").dropLast(2).joined(separator: "/"))
        let path = "/\(directory)/Fixtures/captures/\(file)"
        guard let handle = fopen(path, "rb") else { throw CaptureError.missing(file) }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return bytes
    }

    enum CaptureError: Error { case missing(String) }

    /// Splits client bytes into commands the way FreeSWITCH reads them
    /// (MES:read_packet): leading CR/LF skipped, the block ends at the second
    /// LF with CRs ignored, then a positive Content-Length body.
    static func commands(_ bytes: [UInt8]) -> [(block: String, body: [UInt8]?)] {
        var commands: [(String, [UInt8]?)] = []
        var index = 0
        while index < bytes.count {
            while index < bytes.count, bytes[index] == 0x0D || bytes[index] == 0x0A { index += 1 }
            guard index < bytes.count else { break }
            let start = index
            var newlines = 0
            while index < bytes.count, newlines < 2 {
                if bytes[index] == 0x0A { newlines += 1 } else if bytes[index] != 0x0D { newlines = 0 }
                index += 1
            }
            let block = String(decoding: bytes[start..<index], as: UTF8.self)
            var body: [UInt8]?
            for line in block.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "content-length",
                   let length = Int(parts[1].drop { $0 == " " }), length > 0 {
                    body = Array(bytes[index..<min(bytes.count, index + length)])
                    index += length
                }
            }
            commands.append((block, body))
        }
        return commands
    }

    /// The commands between two markers of a capture's client bytes.
    static func commands(_ name: String, from start: String, upTo end: String? = nil) throws -> [(block: String, body: [UInt8]?)] {
        let bytes = try sent(name)
        let from = bytes.firstRange(of: Array(start.utf8))!.lowerBound
        let to = end.flatMap { bytes[from...].firstRange(of: Array($0.utf8))?.lowerBound } ?? bytes.endIndex
        return commands(Array(bytes[from..<to]))
    }
}

/// Masks what legitimately differs between the simulator and the captured
/// server while keeping lengths (so Content-Length values still compare):
/// UUIDs, the three event dates and the sequence number.
func masked(_ text: String) -> String {
    let uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/
    let dated = /(Event-Date-Local|Event-Date-GMT|Event-Date-Timestamp|Event-Sequence)(: |>|":")([^\n<"]*)/
    return text
        .replacing(uuid) { _ in "########-####-####-####-############" }
        .replacing(dated) { match in
            "\(match.output.1)\(match.output.2)\(String(repeating: "#", count: match.output.3.count))"
        }
}

func masked(_ frames: [WireFrame]) -> [String] {
    frames.map { masked($0.description) }
}

/// A simulator that introduces itself like the captured server (host `vm`).
func capturedSwitch(
    clock: ManualSimulatorClock = ManualSimulatorClock(nowMicroseconds: 1_795_606_687_863_548),
    firstEventSequence: UInt64 = 1,
    startMicroseconds: Int64? = nil,
    configure: (inout SimulatorConfiguration) -> Void = { _ in }
) -> SimulatorSwitch {
    var configuration = SimulatorConfiguration(coreUUID: "08f56e68-f1f1-4301-a9e3-a5d84f52edb6")
    configuration.hostname = "vm"
    configuration.ipv4 = "192.0.2.2"
    configuration.ipv6 = "fd00::2"
    configuration.firstEventSequence = firstEventSequence
    configure(&configuration)
    return SimulatorSwitch(configuration: configuration, clock: clock, startMicroseconds: startMicroseconds)
}

/// A started connection on a recording link.
func connect(_ simulator: SimulatorSwitch, authenticate: Bool = true) -> (SimulatorConnection, RecordingLink) {
    let link = RecordingLink()
    let connection = SimulatorConnection(simulator: simulator, link: link)
    connection.start()
    if authenticate {
        connection.send("auth ClueCon")
        link.reset()
    }
    return (connection, link)
}

extension SimulatorConnection {
    /// Sends one command typed as text, `\n\n` terminated.
    func send(_ command: String, body: String? = nil) {
        receive(command: command + "\n\n", body: body.map { Array($0.utf8) })
    }

    func replay(_ commands: [(block: String, body: [UInt8]?)]) {
        for command in commands {
            receive(command: command.block, body: command.body)
        }
    }
}
