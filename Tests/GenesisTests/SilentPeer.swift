import CGenesis
@testable import Genesis

/// A TCP listener that accepts and then never writes a byte: a FreeSWITCH
/// that hangs before its greeting.
final class SilentPeer: Sendable {
    private let listener: TransportListener
    var port: UInt16 { listener.port }

    init() throws {
        var configuration = gen_conn_config()
        gen_conn_config_init(&configuration)
        configuration.parse_mode = GEN_PARSE_COMMANDS
        listener = try TransportListener(
            engine: .shared, host: "127.0.0.1", port: 0, configuration: configuration
        ) { _ in Silence() }
    }

    func close() {
        listener.close()
    }

    private final class Silence: TransportDelegate {
        func transportDidReceive(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) -> Bool { false }
        func transportDidClose(reason: Int32) {}
    }
}
