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

/// Origins of channel events, as the 1.10.12 captures show them.
extension EventOrigin {
    static let codecRead = EventOrigin(file: "switch_core_codec.c", function: "switch_core_session_set_read_codec", line: 279)
    static let codecWrite = EventOrigin(file: "switch_core_codec.c", function: "switch_core_session_set_write_codec", line: 450)
    static let channelUUID = EventOrigin(file: "switch_core_session.c", function: "switch_core_session_set_uuid", line: 2051)
    static let channelOutgoing = EventOrigin(file: "switch_core_session.c", function: "switch_core_session_outgoing_channel", line: 768)
    static let channelState = EventOrigin(file: "switch_channel.c", function: "switch_channel_perform_set_running_state", line: 2408)
    static let channelCallState = EventOrigin(file: "switch_channel.c", function: "switch_channel_perform_set_callstate", line: 301)
    static let channelCreate = EventOrigin(file: "switch_core_state_machine.c", function: "switch_core_session_run", line: 626)
    static let channelOriginate = EventOrigin(file: "switch_core_state_machine.c", function: "switch_core_session_run", line: 632)
    static let channelProgress = EventOrigin(file: "switch_channel.c", function: "switch_channel_perform_mark_ring_ready_value", line: 3505)
    static let channelProgressMedia = EventOrigin(file: "switch_channel.c", function: "switch_channel_perform_mark_pre_answered", line: 3648)
    static let channelAnswer = EventOrigin(file: "switch_channel.c", function: "switch_channel_perform_mark_answered", line: 3846)
    static let callUpdate = EventOrigin(file: "switch_channel.c", function: "switch_channel_flip_cid", line: 3277)
    static let channelExecute = EventOrigin(file: "switch_core_session.c", function: "switch_core_session_exec", line: 2944)
    static let channelExecuteComplete = EventOrigin(file: "switch_core_session.c", function: "switch_core_session_exec", line: 2967)
    static let bridgeExecuteA = EventOrigin(file: "switch_ivr_bridge.c", function: "uuid_bridge_on_soft_execute", line: 1236)
    static let bridgeExecuteB = EventOrigin(file: "switch_ivr_bridge.c", function: "uuid_bridge_on_soft_execute", line: 1243)
    static let channelBridge = EventOrigin(file: "switch_ivr_bridge.c", function: "switch_ivr_multi_threaded_bridge", line: 1689)
    static let channelUnbridge = EventOrigin(file: "switch_ivr_bridge.c", function: "switch_ivr_multi_threaded_bridge", line: 1879)
    static let channelPark = EventOrigin(file: "switch_ivr.c", function: "switch_ivr_park", line: 1002)
    static let channelUnpark = EventOrigin(file: "switch_ivr.c", function: "switch_ivr_park", line: 1213)
    static let channelHangup = EventOrigin(file: "switch_channel.c", function: "switch_channel_perform_hangup", line: 3445)
    static let channelHangupComplete = EventOrigin(file: "switch_core_state_machine.c", function: "switch_core_session_reporting_state", line: 943)
    static let channelDestroy = EventOrigin(file: "switch_core_session.c", function: "switch_core_session_perform_destroy", line: 1584)
    static let dtmf = EventOrigin(file: "switch_channel.c", function: "switch_channel_dequeue_dtmf", line: 677)
    static let playbackStart = EventOrigin(file: "switch_ivr_play_say.c", function: "switch_ivr_play_file", line: 1646)
    static let playbackStop = EventOrigin(file: "switch_ivr_play_say.c", function: "switch_ivr_play_file", line: 2020)
    static let privateCommand = EventOrigin(file: "switch_ivr.c", function: "switch_ivr_parse_next_event", line: 804)
    static let channelData = EventOrigin(file: "mod_event_socket.c", function: "parse_command", line: 2021)
}
