import Genesis
import GenesisSimulator
import Testing

@Suite struct CommandTests {
    @Test func apiReturnsTheBody() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        let version = try await client.api("version")
        #expect(version.hasPrefix("FreeSWITCH Version 1.10.12"))
        let uuid = try await client.api("create_uuid")
        #expect(uuid.count == 36)
    }

    @Test func unknownApiCommandThrowsWithFreeSWITCHsText() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        await #expect(throws: ESLError.commandFailed(replyText: "-ERR no_such_thing Command not found!")) {
            try await client.api("no_such_thing")
        }
        // The connection is still usable afterwards.
        #expect(try await client.api("echo still here") == "still here")
    }

    @Test func bgapiResolvesOnBackgroundJob() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        let output = try await client.bgapi("echo from the background")
        #expect(output == "from the background")
        let event = try await client.backgroundJob("version short")
        #expect(event.name == "BACKGROUND_JOB")
        #expect(event["Job-Command"] == "version")
        #expect(event.body?.hasPrefix("1.10.12") == true)
    }

    @Test func failedBgapiThrows() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        await #expect(throws: ESLError.self) {
            try await client.bgapi("no_such_thing")
        }
    }

    @Test func pipelinedCommandsGetTheirOwnReplies() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<200 {
                group.addTask { (index, try await client.api("echo \(index)")) }
            }
            for try await (index, output) in group {
                #expect(output == String(index))
            }
        }
    }

    @Test func commandsOnTheIOExecutorResumeOnTheLoopThread() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await withDeadline(.seconds(20)) {
            try await withThrowingTaskGroup(of: (Int, String, Bool).self) { group in
                for index in 0..<100 {
                    group.addTask(executorPreference: client.ioExecutor) {
                        let output = try await client.api("echo \(index)")
                        return (index, output, Engine.shared.isOnLoopThread)
                    }
                }
                for try await (index, output, onLoopThread) in group {
                    #expect(output == String(index))
                    #expect(onLoopThread)
                }
            }
        }
        // A deadline and a tombstone work the same from the loop thread.
        fixture.inject(.stall)
        let timedOut = Task(executorPreference: client.ioExecutor) {
            try await client.send(ESLCommand(line: "api echo late"), timeout: .milliseconds(200))
        }
        await #expect(throws: ESLError.timeout(operation: "api", seconds: 0.2)) { try await timedOut.value }
        fixture.inject(.resume)
        let next = Task(executorPreference: client.ioExecutor) { try await client.api("echo next") }
        #expect(try await next.value == "next")
    }

    @Test func userauthAuthenticatesAUser() async throws {
        var configuration = SimulatorConfiguration()
        configuration.users = ["1000@default": "secret"]
        let fixture = try SimulatorFixture(configuration: configuration)
        defer { fixture.close() }
        let client = try await fixture.connect { $0.user = "1000@default"; $0.password = "secret" }
        defer { client.close() }
        #expect(try await client.api("echo ok") == "ok")
        await #expect(throws: ESLError.self) {
            _ = try await fixture.connect { $0.user = "1000@default"; $0.password = "nope" }
        }
    }

    @Test func logAndLingerRepliesAreTyped() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.log(level: "debug")
        try await client.nolog()
        // Not on an outbound socket, FreeSWITCH refuses linger.
        await #expect(throws: ESLError.commandFailed(replyText: "-ERR not controlling a session")) {
            try await client.linger()
        }
    }

    @Test func logLinesArriveAsLogDataEvents() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        defer { client.close() }
        try await client.log(level: "info")
        let uuid = "5e1f0a2b-0000-4000-8000-00000000e5e1"
        _ = try await client.send(ESLCommand(line: "bgapi originate {origination_uuid=\(uuid)}loopback/2000/default &park()"))
        var lines: [String] = []
        for try await event in client.events where event.contentType == "log/data" {
            #expect(event.format == nil)
            #expect(event["Log-Level"] != nil && event["User-Data"] != nil)
            lines.append(event.body ?? "")
            if lines.count == 3 { break }
        }
        #expect(lines[0].hasSuffix("[NOTICE] switch_channel.c:1142 New Channel loopback/2000-a [\(uuid)]\n"))
        #expect(lines[2].contains("[INFO] mod_dialplan_xml.c:639 Processing"))
        _ = try await client.api("uuid_kill \(uuid)")
    }

    @Test func exitEndsTheConnectionCleanly() async throws {
        let fixture = try SimulatorFixture()
        defer { fixture.close() }
        let client = try await fixture.connect()
        try await client.exit()
        // The stream ends once FreeSWITCH's goodbye has been read.
        for try await _ in client.events {}
        #expect(!client.isConnected)
        await #expect(throws: ESLError.self) { try await client.api("status") }
    }
}
