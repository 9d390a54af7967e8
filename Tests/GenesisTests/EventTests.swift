import Genesis
import GenesisSimulator
import Testing

@Suite struct EventTests {
    /// The same event, fired with sendevent, read back in each wire format.
    @Test(arguments: ESLEventFormat.allCases)
    func eventsReadTheSameInEveryFormat(format: ESLEventFormat) async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe([], subclasses: ["genesis::test"], format: format)
        try await client.sendevent(
            "CUSTOM", subclass: "genesis::test",
            headers: [
                ESLHeader("X-Plain", "hello"),
                ESLHeader("X-Escaped", "a b%c&d<e>\"f'"),
                ESLHeader("X-List", "ARRAY::one|:two|:three"),
                ESLHeader("x-mixed-CASE", "found"),
            ],
            body: "line one\nline two")
        var iterator = client.events.makeAsyncIterator()
        let event = try #require(try await iterator.next())
        #expect(event.format == format)
        #expect(event.name == "CUSTOM")
        #expect(event.subclass == "genesis::test")
        #expect(event["X-Plain"] == "hello")
        #expect(event["x-plain"] == "hello")
        #expect(event["X-Escaped"] == "a b%c&d<e>\"f'")
        #expect(event.values("X-List") == ["one", "two", "three"])
        #expect(event["X-Mixed-Case"] == "found")
        #expect(event.body == "line one\nline two")
        #expect(event["Core-UUID"] != nil)
        #expect(event.headers.contains(ESLHeader("X-Plain", "hello")))
    }

    @Test func filtersNarrowWhatArrives() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe([], subclasses: ["genesis::test"])
        try await client.filter("X-Keep", "yes")
        for keep in ["no", "yes", "no", "yes"] {
            try await client.sendevent("CUSTOM", subclass: "genesis::test", headers: [ESLHeader("X-Keep", keep)])
        }
        try await client.deleteAllFilters()
        try await client.sendevent("CUSTOM", subclass: "genesis::test", headers: [ESLHeader("X-Keep", "last")])
        var seen: [String] = []
        for try await event in client.events {
            seen.append(event["X-Keep"] ?? "")
            if seen.count == 3 { break }
        }
        #expect(seen == ["yes", "yes", "last"])
    }

    @Test func unsubscribingStopsDelivery() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe([], subclasses: ["genesis::a", "genesis::b"])
        try await client.unsubscribe([], subclasses: ["genesis::a"])
        try await client.sendevent("CUSTOM", subclass: "genesis::a")
        try await client.sendevent("CUSTOM", subclass: "genesis::b")
        // The subscription still covers CUSTOM and genesis::b.
        let event = try await withDeadline(.seconds(5)) {
            var iterator = client.events.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(event?.subclass == "genesis::b")
    }

    @Test func injectedEventsArriveInOrder() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe(["HEARTBEAT"])
        for _ in 0..<100 { fixture.server.simulator.sendHeartbeat() }
        var sequences: [Int] = []
        for try await event in client.events {
            sequences.append(Int(event["Event-Sequence"] ?? "") ?? -1)
            if sequences.count == 100 { break }
        }
        #expect(sequences == sequences.sorted())
        #expect(Set(sequences).count == 100)
    }
}
