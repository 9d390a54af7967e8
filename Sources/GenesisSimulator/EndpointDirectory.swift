/// The simulator's destinations: which script a dialled number runs. Built in
/// code or parsed from a small text file; a number with no entry fails with
/// NO_ROUTE_DESTINATION (`loopback/`) or USER_NOT_REGISTERED (`user/`).
///
/// File format, one entry per line, `#` starts a comment:
///
/// ```
/// 1000-1009: set test_ext=answer_now; answer; park
/// 2000:      ring_ready; sleep 2000; answer; park
/// 5000:      socket 127.0.0.1:9000 async full
/// 9000-9999: random answer=0.8 ring=500-3000 talk=5000-60000
/// ```
///
/// The key is a number or an inclusive range of numbers of equal length (or
/// any literal text); the value a `;`-separated list of dialplan
/// applications, or `random` with its parameters.
public struct EndpointDirectory: Sendable {
    public struct Entry: Sendable {
        public var first: String
        public var last: String
        public var behavior: EndpointBehavior

        func matches(_ destination: String) -> Bool {
            if destination == first { return true }
            guard first != last, let low = Int(first), let high = Int(last), let number = Int(destination),
                  destination.count == first.count else { return false }
            return (low...high).contains(number)
        }
    }

    public enum ParseError: Error, Equatable {
        case invalidLine(number: Int, text: String)
    }

    public private(set) var entries: [Entry] = []
    /// Seed of the random endpoints' generator.
    public var seed: UInt64 = 1

    public init() {}

    /// Adds an entry; earlier entries win on overlap.
    public mutating func add(_ first: String, through last: String? = nil, _ behavior: EndpointBehavior) {
        entries.append(Entry(first: first, last: last ?? first, behavior: behavior))
    }

    public func behavior(for destination: String) -> EndpointBehavior? {
        entries.first { $0.matches(destination) }?.behavior
    }

    /// The directory the protocol captures were recorded against (issue 4).
    public static let standard: EndpointDirectory = {
        var directory = EndpointDirectory()
        directory.add("1000", through: "1009", .script(steps("set test_ext=answer_now; answer; park")))
        directory.add("2000", through: "2009",
                      .script(steps("set test_ext=delayed_answer; ring_ready; sleep 2000; answer; park")))
        directory.add("3000", .script(steps("set test_ext=no_answer; ring_ready; park")))
        directory.add("4000", .script(steps("set test_ext=busy; hangup USER_BUSY")))
        directory.add("4001", .script(steps("set test_ext=reject; hangup CALL_REJECTED")))
        directory.add("5000", .script(steps("set test_ext=outbound_socket; socket 127.0.0.1:9000 async full")))
        directory.add("5001", .script(steps("set test_ext=outbound_socket_sync; socket 127.0.0.1:9000 full")))
        directory.add("6000", .script(steps("set test_ext=silence; answer; playback silence_stream://-1")))
        directory.add("6001", .script(steps("set test_ext=echo; answer; echo")))
        directory.add("7000", .script(steps("set test_ext=answer_hangup; answer; sleep 1000; hangup")))
        directory.add("7001", .script(steps(
            "set test_ext=tones; answer; playback tone_stream://%(500,500,440); playback tone_stream://%(500,500,480); hangup")))
        directory.add("8000", .script(steps("set test_ext=early_media; pre_answer; sleep 3000; answer; park")))
        return directory
    }()

    /// Parses the file format above.
    public static func parse(_ text: String) throws(ParseError) -> EndpointDirectory {
        var directory = EndpointDirectory()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }.trimmingCharacters()
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidLine(number: index + 1, text: String(rawLine))
            }
            let key = line[..<colon].trimmingCharacters()
            let value = line[line.index(after: colon)...].trimmingCharacters()
            let bounds = key.split(separator: "-", maxSplits: 1).map { $0.trimmingCharacters() }
            guard !key.isEmpty, !value.isEmpty, let first = bounds.first else {
                throw .invalidLine(number: index + 1, text: String(rawLine))
            }
            let behavior: EndpointBehavior
            if value.hasPrefix("random") {
                guard let profile = randomProfile(value.dropFirst(6)) else {
                    throw .invalidLine(number: index + 1, text: String(rawLine))
                }
                behavior = .random(profile)
            } else {
                behavior = .script(steps(value))
            }
            directory.add(first, through: bounds.count > 1 ? bounds[1] : nil, behavior)
        }
        return directory
    }

    /// `answer=0.8 ring=500-3000 talk=5000-60000` (each optional).
    private static func randomProfile(_ text: Substring) -> RandomCallProfile? {
        var profile = RandomCallProfile()
        for word in text.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let value = String(parts[1])
            switch parts[0] {
            case "answer":
                guard let probability = Double(value) else { return nil }
                profile.answerProbability = probability
            case "ring", "talk":
                let ends = value.split(separator: "-").compactMap { Int($0) }
                guard let low = ends.first, let high = ends.last, low <= high else { return nil }
                if parts[0] == "ring" { profile.ringMilliseconds = low...high } else { profile.talkMilliseconds = low...high }
            default:
                return nil
            }
        }
        return profile
    }

    static func steps(_ text: String) -> [DialplanStep] {
        text.split(separator: ";").map { DialplanStep(parsing: $0) }.filter { !$0.application.isEmpty }
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        String(self).trimmingSpaces()
    }
}
