import GenesisSimulator
import Testing

@Suite("filters (ESL.md 2.7)")
struct EventFilterTests {
    private func delivered(filters: [String], events: [(String, [(name: String, value: String)])]) -> [String] {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain ALL")
        for filter in filters { connection.send("filter \(filter)") }
        link.reset()
        for (name, headers) in events {
            simulator.fire(eventName: name, headers: headers + [("X-Tag", "\(name)-\(headers.first?.value ?? "")")])
        }
        return link.frames.compactMap { frame in
            frame.bodyText.split(separator: "\n").first { $0.hasPrefix("X-Tag: ") }.map { String($0.dropFirst(7)) }
        }
    }

    @Test("filters on different headers OR together; events without the header ignore a filter")
    func positiveFiltersAreAnAllowList() {
        let result = delivered(
            filters: ["Event-Name CHANNEL_CREATE", "Unique-ID u3"],
            events: [("CHANNEL_CREATE", [("Unique-ID", "u1")]), ("CHANNEL_ANSWER", [("Unique-ID", "u1")]),
                     ("CHANNEL_ANSWER", [("Unique-ID", "u3")]), ("HEARTBEAT", [])])
        #expect(result == ["CHANNEL_CREATE-u1", "CHANNEL_ANSWER-u3"])
    }

    @Test("only negative filters let nothing through; a negative match beats a positive one")
    func negativeFilters() {
        #expect(delivered(filters: ["X-Kind -other"], events: [("CUSTOM", [("X-Kind", "ping")])]).isEmpty)
        let result = delivered(
            filters: ["X-Kind /^p/", "X-Kind -pong"],
            events: [("CUSTOM", [("X-Kind", "ping")]), ("CUSTOM", [("X-Kind", "pong")])])
        #expect(result == ["CUSTOM-ping"])
    }

    @Test("unsigned /regex/ matches; a signed one is compared literally; plain values ignore case")
    func regexAndCase() {
        #expect(delivered(filters: ["X-Kind /^esltest::P/i"], events: [("CUSTOM", [("X-Kind", "esltest::ping")])]) == ["CUSTOM-esltest%3A%3Aping"])
        #expect(delivered(filters: ["X-Kind +/^esltest::p/"], events: [("CUSTOM", [("X-Kind", "esltest::ping")])]).isEmpty)
        #expect(delivered(filters: ["X-Kind ESLTEST::PING"], events: [("CUSTOM", [("X-Kind", "esltest::ping")])]) == ["CUSTOM-esltest%3A%3Aping"])
    }

    /// Positive filters are looked up by pair (literals) or tried in any
    /// order (regular expressions); deleting one, or adding a negative one,
    /// must give the ordered loop's verdict.
    @Test("many channel filters: value case ignored, deletion exact, a negative filter still wins")
    func manyChannelFilters() {
        let events: [(String, [(name: String, value: String)])] = (1...4).map { ("CHANNEL_ANSWER", [("Unique-ID", "u\($0)")]) }
        let filters = (1...3).map { "Unique-ID U\($0)" }
        #expect(delivered(filters: filters, events: events) == ["CHANNEL_ANSWER-u1", "CHANNEL_ANSWER-u2", "CHANNEL_ANSWER-u3"])
        #expect(delivered(filters: filters + ["delete Unique-ID U2"], events: events)
            == ["CHANNEL_ANSWER-u1", "CHANNEL_ANSWER-u3"])
        #expect(delivered(filters: filters + ["Unique-ID U1", "delete Unique-ID U1"], events: events)
            == ["CHANNEL_ANSWER-u2", "CHANNEL_ANSWER-u3"])
        #expect(delivered(filters: ["Unique-ID -u3"] + filters, events: events)
            == ["CHANNEL_ANSWER-u1", "CHANNEL_ANSWER-u2"])
        #expect(delivered(filters: filters + ["Unique-ID -u3", "delete Unique-ID -u3"], events: events)
            == ["CHANNEL_ANSWER-u1", "CHANNEL_ANSWER-u2", "CHANNEL_ANSWER-u3"])
        #expect(delivered(filters: filters + ["Unique-ID /^u4$/"], events: events)
            == ["CHANNEL_ANSWER-u1", "CHANNEL_ANSWER-u2", "CHANNEL_ANSWER-u3", "CHANNEL_ANSWER-u4"])
        #expect(delivered(filters: ["Unique-ID /^u4$/"] + filters + ["delete Unique-ID /^u4$/"], events: events)
            == ["CHANNEL_ANSWER-u1", "CHANNEL_ANSWER-u2", "CHANNEL_ANSWER-u3"])
    }

    /// `/^literal/` takes a byte comparison instead of the regular
    /// expression engine; the outcome must be the engine's: case counts
    /// without `i`, and the literal anchors at the start only.
    @Test("an anchored literal prefix matches as the regular expression does")
    func anchoredLiteralPrefix() {
        let events: [(String, [(name: String, value: String)])] = [
            ("CHANNEL_ANSWER", [("Unique-ID", "1b2c3d4e-5f60-4a1b-8c2d-000000000001")]),
            ("CHANNEL_ANSWER", [("Unique-ID", "1B2C3D4E-5f60-4a1b-8c2d-000000000002")]),
            ("CHANNEL_ANSWER", [("Unique-ID", "ff1b2c3d4e-5f60-4a1b-8c2d-000000000003")]),
            ("CHANNEL_ANSWER", [("Other-Leg-Unique-ID", "1b2c3d4e-5f60-4a1b-8c2d-000000000004")]),
        ]
        #expect(delivered(filters: ["Unique-ID /^1b2c3d4e-5f60-/"], events: events)
            == ["CHANNEL_ANSWER-1b2c3d4e-5f60-4a1b-8c2d-000000000001"])
        // With a flag, or anything but plain characters, the engine decides.
        #expect(delivered(filters: ["Unique-ID /^1b2c3d4e-5f60-/i"], events: events)
            == ["CHANNEL_ANSWER-1b2c3d4e-5f60-4a1b-8c2d-000000000001", "CHANNEL_ANSWER-1B2C3D4E-5f60-4a1b-8c2d-000000000002"])
        #expect(delivered(filters: ["Unique-ID /^1b2c.d4e-/"], events: events)
            == ["CHANNEL_ANSWER-1b2c3d4e-5f60-4a1b-8c2d-000000000001"])
    }

    @Test("filter replies and deletion by header, by value and all")
    func filterCommands() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain CUSTOM")
        connection.send("filter Unique-ID")
        connection.send("filter add X-A one two")
        connection.send("filter X-A three")
        connection.send("filter delete X-A three")
        connection.send("filter delete X-A")
        connection.send("filter delete all")
        #expect(link.frames.map { $0.header("Reply-Text") ?? "" } == [
            "+OK event listener enabled plain",
            "-ERR invalid syntax",
            "+OK filter added. [X-A]=[one two]",
            "+OK filter added. [X-A]=[three]",
            "+OK filter deleted. [X-A][three]",
            "+OK filter deleted. [X-A][]",
            "+OK filter deleted. [all][]",
        ])
        link.reset()
        simulator.fire(eventName: "CUSTOM")
        #expect(link.frames.count == 1)
    }

    @Test("Reply-Text is cut at 511 bytes")
    func replyTextTruncation() {
        let (connection, link) = connect(capturedSwitch())
        connection.send("filter X-Long \(String(repeating: "y", count: 2000))")
        #expect(link.frames.first?.header("Reply-Text")?.utf8.count == 511)
    }
}
