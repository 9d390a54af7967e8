import Genesis
import GenesisSimulator
import Testing

/// A CR or LF inside an argument would end the command early and start
/// another one: every path that builds a command refuses it.
@Suite struct InjectionTests {
    static let hostile = [
        "user/1000\n\napi hupall",
        "user/1000\r\n\r\napi hupall",
        "user/1000\rX",
        "user/1000\nX",
    ]

    @Test(arguments: hostile)
    func commandLineWithALineBreakIsRefused(_ dial: String) async throws {
        #expect(throws: ESLError.self) { try ESLCommand(line: "api originate \(dial) &park()") }
        #expect(throws: ESLError.self) { try ESLCommand("bgapi", "originate", dial, "&park()") }
    }

    @Test(arguments: hostile)
    func headerValueWithALineBreakIsRefused(_ value: String) async throws {
        #expect(throws: ESLError.self) {
            try ESLCommand(line: "sendevent CUSTOM", headers: [ESLHeader("X-Data", value)])
        }
    }

    @Test func nothingReachesTheWireWhenAnArgumentIsHostile() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe(["ALL"])
        await #expect(throws: ESLError.self) { try await client.api("echo a\n\nsendevent CUSTOM") }
        await #expect(throws: ESLError.self) { try await client.bgapi("echo a\n\nsendevent CUSTOM") }
        await #expect(throws: ESLError.self) {
            try await client.sendevent("CUSTOM", headers: [ESLHeader("X", "a\n\napi hupall")])
        }
        await #expect(throws: ESLError.self) { try await client.filter("Unique-ID", "x\n\nnoevents") }
        // The connection is intact and in step: the next reply is this command's.
        #expect(try await client.api("echo clean") == "clean")
    }

    @Test func multiLineDataTravelsInTheBody() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.subscribe([], subclasses: ["genesis::body"])
        try await client.sendevent("CUSTOM", subclass: "genesis::body", body: "a\n\napi hupall\n\n")
        var iterator = client.events.makeAsyncIterator()
        let event = try #require(try await iterator.next())
        #expect(event.body == "a\n\napi hupall\n\n")
    }
}
