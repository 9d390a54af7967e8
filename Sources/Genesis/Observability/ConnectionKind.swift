/// Which side opened an ESL connection: the `type` label of the connection
/// metrics.
package enum ConnectionKind: String, Sendable {
    /// This process connected to FreeSWITCH's event socket.
    case inbound
    /// FreeSWITCH connected to this process's outbound server.
    case outbound
}
