import Synchronization

/// How far the originate of each leg of a ringing round got. A leg is
/// *settled* once its originate returned a result from the switch
/// (answered, or failed and so hung up there) or was never run. A leg whose
/// originate only stopped waiting (a `bgapi` result that timed out, a lost
/// connection) has *ended* without being settled: it may still ring, so it
/// is killed like any other loser. Internal to ``RingGroup``.
final class RingLegs: Sendable {
    /// Legs whose originate ended, and whether that settled them.
    private let ended = Lock<[String: Bool]>([:])

    /// Records how the originate of `uuid` ended.
    func originateEnded(_ uuid: String, _ result: Result<Channel, any Error>) {
        let settled = Self.settles(result)
        ended.withLock { $0[uuid] = settled }
    }

    func isSettled(_ uuid: String) -> Bool { ended.withLock { $0[uuid] ?? false } }

    /// True once the leg's originate returned, settled or not.
    func hasEnded(_ uuid: String) -> Bool { ended.withLock { $0[uuid] != nil } }

    /// A success is an answered leg; a channel error is the switch's verdict
    /// on the leg (or bad input, when nothing was sent); a refused command
    /// never ran. Anything else leaves the leg's fate unknown.
    static func settles(_ result: Result<Channel, any Error>) -> Bool {
        switch result {
        case .success: true
        case .failure(is ChannelError): true
        case .failure(ESLError.commandFailed), .failure(ESLError.invalidCommand): true
        case .failure: false
        }
    }
}
