/// Why an outbound session could not start. Each case says what to change
/// in the dialplan or the server.
public enum OutboundSessionError: Error, Sendable, Equatable {
    /// The `socket` application lacks `full`: FreeSWITCH refuses `event`,
    /// `linger`, `api` and `bgapi` on such a session (ESL.md 3.4).
    /// Use `<action application="socket" data="host:port async full"/>`.
    case notFullControl(control: String)
    /// The `socket` application lacks `async`: in static mode every command
    /// blocks the channel's thread and no events arrive meanwhile.
    /// Use `<action application="socket" data="host:port async full"/>`.
    case notAsync(socketMode: String)
    /// The `connect` reply carried no `Unique-ID`: the peer is not FreeSWITCH.
    case missingChannelData
}

extension OutboundSessionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFullControl(let control):
            "outbound socket has 'Control: \(control)': add 'full' to the socket application (socket host:port async full)"
        case .notAsync(let mode):
            "outbound socket has 'Socket-Mode: \(mode)': add 'async' to the socket application (socket host:port async full)"
        case .missingChannelData:
            "the connect reply carried no channel data (Unique-ID): the peer is not FreeSWITCH"
        }
    }
}
