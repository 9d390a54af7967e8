import ArgumentParser
@testable import genesis
import Testing

@Suite("Demo options")
struct DemoOptionsTests {
    @Test func defaultsMatchTheSimulatorsDirectory() throws {
        let settings = try DemoOptions.parse([]).settings
        #expect(settings.callerDialString == "loopback/5000/default")
        #expect(settings.agentDialStrings.count == 10)
        #expect(settings.agentDialStrings.first == "loopback/2000/default")
        #expect(settings.agentDialStrings.last == "loopback/2009/default")
        #expect(settings.duration == .seconds(60))
    }

    @Test func agentsSizeTheNumberedGroup() throws {
        let settings = try DemoOptions.parse(["--agents", "3"]).settings
        #expect(settings.agentDialStrings == ["loopback/2000/default", "loopback/2001/default", "loopback/2002/default"])
    }

    @Test func explicitAgentDialStringsReplaceTheNumberedOnes() throws {
        let settings = try DemoOptions.parse(["--agent", "user/1001", "--agent", "user/1002"]).settings
        #expect(settings.agentDialStrings == ["user/1001", "user/1002"])
    }

    @Test(arguments: [
        ["--cps", "0"], ["--duration", "-1"], ["--agents", "0"], ["--agents", "1001"], ["--patience", "0"],
        ["--ring-timeout", "0"], ["--agents", "3", "--agent", "user/1001"], ["--caller-dial-string", "loopback/5000 x"],
        ["--talk", "5-1"], ["--talk", "a-b"], ["--talk", "-1"],
    ])
    func badOptionsAreRefused(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try DemoOptions.parse(arguments) }
    }

    @Test func talkTakesARangeOrOneValue() throws {
        #expect(SecondsRange(argument: "1-5")?.range == 1...5)
        #expect(SecondsRange(argument: "0.5-0.5")?.range == 0.5...0.5)
        #expect(SecondsRange(argument: "3")?.range == 3...3)
        #expect(SecondsRange(argument: "1-2-3") == nil)
    }
}
