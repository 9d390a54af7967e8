import CGenesis
@testable import Genesis

/// A TCP listener that greets, accepts any password, and then stops reading
/// its socket for good: a FreeSWITCH whose listener thread hangs. The
/// client's writes pile up in the kernel and then in its own write queue.
/// With `hangUpOnAuth` it instead drops the connection as soon as the `auth`
/// command arrives (a switch that dies during authentication).
final class DeafPeer: Sendable {
    private let listener: TransportListener
    var port: UInt16 { listener.port }

    init(hangUpOnAuth: Bool = false) throws {
        var configuration = gen_conn_config()
        gen_conn_config_init(&configuration)
        configuration.parse_mode = GEN_PARSE_COMMANDS
        listener = try TransportListener(
            engine: .shared, host: "127.0.0.1", port: 0, configuration: configuration
        ) { transport in
            try? transport.write(Array("Content-Type: auth/request\n\n".utf8))
            return Deaf(transport: transport, hangUpOnAuth: hangUpOnAuth)
        }
    }

    func close() {
        listener.close()
    }

    private final class Deaf: TransportDelegate {
        let transport: TransportConnection
        let hangUpOnAuth: Bool
        init(transport: TransportConnection, hangUpOnAuth: Bool) {
            self.transport = transport
            self.hangUpOnAuth = hangUpOnAuth
        }

        func transportDidReceive(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) -> Bool {
            if hangUpOnAuth {
                transport.close(abort: true)
                return true
            }
            try? transport.write(Array("Content-Type: command/reply\nReply-Text: +OK accepted\n\n".utf8))
            return true  // stop reading: nothing after `auth` is ever read
        }

        func transportDidClose(reason: Int32) {}
    }
}
