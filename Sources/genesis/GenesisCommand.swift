import ArgumentParser

/// `genesis`: talk to FreeSWITCH's event socket from a shell, run the
/// embedded simulator, and measure.
@main
struct GenesisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genesis",
        abstract: "FreeSWITCH Event Socket tools: commands, events, simulator, benchmarks.",
        subcommands: [
            APICommand.self, EventsCommand.self, SimulateCommand.self,
            BenchCommand.self, DemoCommand.self, CallsCommand.self, OriginateCommand.self,
        ]
    )
}
