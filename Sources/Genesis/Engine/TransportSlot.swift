import Synchronization

/// The transport of a protocol connection, attached after the connection
/// object exists (the engine needs the object as its delegate first) and
/// cleared when the socket closes. A class so that closures can share it.
final class TransportSlot: Sendable {
    private let value = Lock<TransportConnection?>(nil)

    var transport: TransportConnection? { value.withLock { $0 } }

    func set(_ transport: TransportConnection?) {
        value.withLock { $0 = transport }
    }
}
