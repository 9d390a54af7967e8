/// What the simulated FreeSWITCH says about itself. The defaults copy the
/// identity strings of the FreeSWITCH 1.10.12 the protocol captures were
/// recorded against, so replies look like the real thing byte for byte.
///
/// ```swift
/// var configuration = SimulatorConfiguration()
/// configuration.password = "secret"
/// configuration.heartbeatInterval = .seconds(1)
/// let simulator = SimulatorSwitch(configuration: configuration)
/// ```
public struct SimulatorConfiguration: Sendable {
    /// The `auth` password (`event_socket.conf` default).
    public var password = "ClueCon"
    /// Directory users for `userauth`, keyed `user@domain`, valued by their
    /// `esl-password`.
    public var users: [String: String] = [:]

    public var hostname = "genesis-sim"
    /// `FreeSWITCH-Switchname`; FreeSWITCH defaults it to the host name.
    public var switchname: String?
    public var ipv4 = "127.0.0.1"
    /// `FreeSWITCH-IPv6`; empty leaves the header out, as FreeSWITCH does.
    public var ipv6 = "::1"
    /// Constant for the life of the process, like FreeSWITCH's `Core-UUID`.
    public var coreUUID: String

    /// Release string, `1.10.12-release` on the captured server.
    public var version = "1.10.12-release"
    /// Word size suffix FreeSWITCH appends to its version texts.
    public var bits = "64bit"

    /// HEARTBEAT period (`event-heartbeat-interval`, 20 s by default).
    public var heartbeatInterval: Duration = .seconds(20)
    /// Time an inbound client has to send its first command.
    public var authTimeout: Duration = .seconds(25)
    /// How long after an async outbound socket's `connect` its channel
    /// parks (CHANNEL_PARK, then queued messages run). FreeSWITCH's session
    /// thread polls for the connected listener: 1-20 ms in the captures.
    public var outboundParkDelay: Duration = .milliseconds(20)

    /// First `Event-Sequence` number handed out.
    public var firstEventSequence: UInt64 = 1
    /// Session counters at start-up (`status`, HEARTBEAT).
    public var sessions = SimulatorSessionCounters()
    /// `Idle-CPU` in HEARTBEAT and the second figure of `min idle cpu`.
    public var idleCPU = 85.33
    /// Stack figures of the `status` text, in KiB.
    public var stackSizeKiB = 240
    public var stackMaxKiB = 8192

    public init(coreUUID: String = UUIDFactory.make()) {
        self.coreUUID = coreUUID
    }

    /// `FreeSWITCH-Version` of HEARTBEAT: `1.10.12-release~64bit`.
    var versionFull: String { "\(version)~\(bits)" }
    /// The form `status` prints: `1.10.12-release  64bit` (the empty
    /// revision leaves two spaces).
    var versionHuman: String { "\(version)  \(bits)" }
    var effectiveSwitchname: String { switchname ?? hostname }
}
