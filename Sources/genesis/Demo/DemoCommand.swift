import ArgumentParser
import Foundation
import Genesis

/// `genesis demo` (`make demo`): a call center on the embedded simulator,
/// or on a real FreeSWITCH with `--host`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a call center: callers queue, ring a group of agents, talk and hang up.",
        discussion: """
            Callers are originated at --cps to the caller dial string, whose dialplan hands them to this \
            process's outbound socket; each waits in a queue with one slot per agent (giving up after \
            --patience), is offered to the agents least busy first (a balancing ring group), is bridged \
            to the one who answers, talks for a random --talk time and hangs up. A line a second shows \
            calls/s, active calls, queue depth and answer latency; /metrics, /health and /ready are served \
            meanwhile. After --duration the calls in progress are drained and a summary is printed: \
            offered, answered, abandoned, p50/p99 latencies, and lost events (channels whose \
            CHANNEL_CREATE and CHANNEL_HANGUP_COMPLETE did not both arrive).

            Without --host (or ESL_HOST) the embedded simulator runs in this process: nothing else is \
            needed. With --host, the FreeSWITCH needs 5000 to run `socket 127.0.0.1:9000 async full` and \
            2000-2009 to be agents that answer (see the README); --caller-dial-string, --agent and \
            --outbound-port adapt the run to another dialplan.

            Ctrl-C stops placing callers and drains the calls in progress; a second Ctrl-C hangs them up \
            at once. Either way the summary follows, and no call of the demo's is left up.

            Exit status: 0 when calls were answered and nothing was lost, failed or left up; 1 otherwise.
            """)

    @OptionGroup var scenario: DemoOptions

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let target: CallCenterDemo.Switch = server.givenHost == nil ? .embedded : .external(server.configuration())
        let demo = CallCenterDemo(
            settings: scenario.settings, target: target, outboundHost: scenario.outboundHost,
            outboundPort: scenario.outboundPort, metricsPort: scenario.metricsPort ?? 0,
            logger: server.logging.logger(label: "genesis.demo"))
        let summary = try await demo.run()
        for line in summary.lines { print(line) }
        // The problems go to standard error: the summary comes first even
        // when standard output is a pipe.
        fflush(nil)
        let problems = summary.problems
        guard problems.isEmpty else {
            for problem in problems { printError(problem) }
            throw ExitCode.failure
        }
    }
}
