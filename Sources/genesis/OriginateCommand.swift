import ArgumentParser
import Genesis

/// `genesis originate <dial string>`: places one call through `bgapi` and
/// prints its UUID once it is answered.
///
/// Exit status: 0 answered, 2 the call failed (the hangup cause is printed
/// on standard error, e.g. `USER_BUSY`), 1 anything else (connection,
/// authentication, bad arguments).
struct OriginateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "originate",
        abstract: "Place a call; print its UUID when answered.",
        discussion: """
            Exit status: 0 answered, 2 the call failed (its hangup cause on standard error), \
            1 any other error. Without --hangup-after the answered leg keeps running its application.
            """)

    @Argument(help: "Where to call, e.g. user/1000 or loopback/2000/default.")
    var dialString: String

    @Option(help: "What the leg runs once answered.")
    var application = "&park()"

    @Option(name: .customLong("variable"), help: "A channel variable name=value (repeatable); values are escaped.")
    var variables: [String] = []

    @Option(help: "The leg's UUID (generated when omitted).")
    var uuid: String?

    @Option(help: "Seconds to ring before giving up (originate_timeout).")
    var timeout: Int?

    @Option(help: "Hang the call up after this many seconds of talk.")
    var hangupAfter: Double?

    @OptionGroup var server: ServerOptions

    func run() async throws {
        var callVariables = OriginateVariables()
        for pair in variables {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--variable takes name=value, got \(pair)")
            }
            callVariables[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        if let timeout { callVariables.timeoutSeconds = timeout }
        let client = try await InboundClient.connect(server.configuration())
        let calls = try await CallControl.start(on: client)
        defer { calls.close() }
        let channel: Channel
        do {
            channel = try await calls.originate(dialString, variables: callVariables, uuid: uuid, application: application)
        } catch ChannelError.originateFailed(let cause, _) {
            printError(cause.name)
            throw ExitCode(2)
        } catch ChannelError.callEnded(let cause) {
            // Ended before it settled (FreeSWITCH's originate also succeeds
            // on early media): a call that failed, like the case above.
            printError(cause.name)
            throw ExitCode(2)
        }
        print(channel.uuid)
        if let hangupAfter {
            try await Task.sleep(for: .milliseconds(Int(hangupAfter * 1000)))
            try await channel.hangup()
        }
    }
}
