import Genesis
import GenesisSimulator
import Synchronization

/// An outbound server on a free port, a simulator whose socket destinations
/// (5000: `async full`, 5001: `full` only, 5002: `async` only) dial it, and
/// call control on an inbound connection to the simulator.
struct CallFixture {
    let simulator: SimulatorServer
    let outbound: OutboundServer?
    let client: InboundClient
    let calls: CallControl

    static func start(
        _ handler: OutboundServer.Handler? = nil,
        outbound configure: ((inout OutboundConfiguration) -> Void)? = nil,
        extra: (inout EndpointDirectory, UInt16) -> Void = { _, _ in }
    ) async throws -> CallFixture {
        var server: OutboundServer?
        var directory = EndpointDirectory()
        if let handler {
            var configuration = OutboundConfiguration(hosts: ["127.0.0.1"], port: 0, lingerSeconds: 1)
            configure?(&configuration)
            let started = OutboundServer(configuration: configuration, handler: handler)
            try started.start()
            let port = started.port
            extra(&directory, port)
            directory.add("5000", .socket("127.0.0.1:\(port) async full"))
            directory.add("5001", .socket("127.0.0.1:\(port) full"))
            directory.add("5002", .socket("127.0.0.1:\(port) async"))
            server = started
        }
        for entry in EndpointDirectory.standard.entries {
            directory.add(entry.first, through: entry.last, entry.behavior)
        }
        let simulator = try SimulatorServer.start(
            host: "127.0.0.1", port: 0, simulator: SimulatorSwitch(directory: directory))
        let client = try await InboundClient.connect(host: "127.0.0.1", port: simulator.port)
        let calls = try await CallControl.start(on: client)
        return CallFixture(simulator: simulator, outbound: server, client: client, calls: calls)
    }

    /// Hangs every call up and waits for the switch to be idle before
    /// closing: a simulator released with calls still running trips its
    /// precondition when their timers fire.
    func close() async {
        _ = try? await client.api("hupall MANAGER_REQUEST")
        _ = try? await withDeadline(.seconds(5)) {
            while try await client.api("show channels count").contains("\n0 total") == false {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        calls.close()
        if let outbound {
            await outbound.shutdown()
        }
        simulator.close()
    }
}

/// A value set once from a handler task and read by the test.
final class Box<Value: Sendable>: Sendable {
    private let value: Lock<Value>
    init(_ initial: Value) { value = Lock(initial) }
    var current: Value { value.withLock { $0 } }
    func update(_ change: (inout Value) -> Void) { value.withLock { change(&$0) } }
}
