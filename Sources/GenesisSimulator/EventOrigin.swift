/// Where FreeSWITCH says an event was created: the `Event-Calling-File`,
/// `-Function` and `-Line-Number` headers. The constants are the values the
/// 1.10.12 captures show for the events the simulator raises.
public struct EventOrigin: Sendable, Equatable {
    public var file: String
    public var function: String
    public var line: Int

    public init(file: String, function: String, line: Int) {
        self.file = file
        self.function = function
        self.line = line
    }

    public static let backgroundJob = EventOrigin(file: "mod_event_socket.c", function: "api_exec", line: 1572)
    public static let sendEvent = EventOrigin(file: "mod_event_socket.c", function: "parse_command", line: 2275)
    public static let api = EventOrigin(file: "switch_loadable_module.c", function: "switch_api_execute", line: 2954)
    public static let heartbeat = EventOrigin(file: "switch_core.c", function: "send_heartbeat", line: 95)
    public static let reschedule = EventOrigin(file: "switch_scheduler.c", function: "switch_scheduler_execute", line: 73)
    /// Events a test or the demo raises through ``SimulatorSwitch/fire(eventName:subclass:headers:body:origin:)``.
    public static let simulator = EventOrigin(file: "genesis_simulator.c", function: "simulator_fire", line: 1)
}
