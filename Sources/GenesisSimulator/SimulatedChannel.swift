/// One simulated FreeSWITCH channel (a session): identity, states, caller
/// profile, variables and what it is running. Only ``CallEngine`` touches it,
/// always while holding its lock, which is why the class may be shared.
final class SimulatedChannel: @unchecked Sendable {
    /// An application on the channel's stack; nested ones (a `sendmsg`
    /// execute inside `park`) sit above the one they interrupt.
    struct RunningApplication {
        var step: DialplanStep
        var applicationUUID: String?
        var timer: (any SimulatorTimer)?
        /// `play_and_get_digits` progress; nil for other applications.
        var digitCollection: DigitCollection?
        /// `playback` in progress: its path, so a terminator digit can stop it.
        var playbackPath: String?
        /// A `sendmsg` execute: fire PRIVATE_COMMAND with these headers when done.
        var privateCommand: [(name: String, value: String)]?
        /// An async outbound socket whose client sent `connect`: parked.
        var socketParked = false
        /// The park of CS_PARK (`uuid_park`), not the `park` application:
        /// no CHANNEL_EXECUTE or EXECUTE_COMPLETE, only PARK and UNPARK.
        var parkState = false
    }

    struct DigitCollection {
        var minimum: Int
        var maximum: Int
        var terminators: String
        var variable: String
        var digits = ""
    }

    var uuid: String
    var name: String
    let isOutbound: Bool
    /// `Channel-State`: the state whose handlers last ran.
    var runningState = ChannelStateName.none
    /// `Channel-State-Number`: the state requested last.
    var currentState = ChannelStateName.new
    var callState = CallStateName.down
    var answered = false
    var earlyMedia = false
    var hitDialplan: Bool
    var hangupCause: String?
    var hasCodecs = false
    var profile: CallerProfile
    var variables = ChannelVariables()
    let sessionID: Int

    /// The other half of a loopback pair.
    var partnerUUID: String?
    /// The channel bridged to this one, and whether this one is the A leg.
    var bridgedUUID: String?
    var isBridgeOriginator = false
    /// Other-Type / Other-Leg-* (set by bridges).
    var otherLeg: (type: String, profile: CallerProfile)?

    /// The dialplan being run (a destination's script or an `&app`) and the
    /// index of the next application.
    var script: [DialplanStep] = []
    var nextStep = 0
    var applications: [RunningApplication] = []
    /// `sendmsg` messages waiting for the channel to service its queue.
    var queuedMessages: [QueuedMessage] = []
    var pendingDigits: [(digit: Character, duration: Int, source: String)] = []
    /// `current_application_response` survives between applications.
    var lastApplicationResponse = "_none_"

    /// An originate waiting for this leg: called once with the outcome.
    var originateWaiter: OriginateWaiter?
    /// Outbound socket controlling this channel (blocks CHANNEL_DESTROY while open).
    var controller: SimulatorConnection?
    var timers: [any SimulatorTimer] = []
    var destroyed = false

    init(uuid: String, name: String, isOutbound: Bool, profile: CallerProfile, sessionID: Int) {
        self.uuid = uuid
        self.name = name
        self.isOutbound = isOutbound
        self.hitDialplan = !isOutbound
        self.profile = profile
        self.sessionID = sessionID
    }

    /// `Answer-State`.
    var answerState: String {
        if currentState >= .hangup { return "hangup" }
        if answered { return "answered" }
        if earlyMedia { return "early" }
        return "ringing"
    }

    /// Findable by UUID: FreeSWITCH refuses locks on channels at CS_HANGUP or later.
    var isAlive: Bool { currentState < .hangup }

    var isParked: Bool { applications.last?.step.application == "park" || applications.last?.step.application == "socket" }
}

/// A `sendmsg` waiting in a channel's queue.
struct QueuedMessage {
    var step: DialplanStep
    var applicationUUID: String?
    var loops: Int
    var headers: [(name: String, value: String)]
}

/// Completion of an originate: `+OK <uuid>` or `-ERR <cause>`.
struct OriginateWaiter {
    var respond: @Sendable (String) -> Void
    var returnRingReady: Bool
    var timeout: (any SimulatorTimer)?
    /// What the leg runs after answer: an `&app` or a transfer to an extension.
    var afterAnswer: [DialplanStep]?
    var extensionTarget: String?
    /// A `bridge` application waiting on this leg: the A leg's UUID.
    var bridgeFrom: String?
    /// The `,` group this leg rings in (nil for a single leg), and its index there.
    var race: OriginateRace?
    var raceIndex = 0
}

/// The legs of one `,` group of an originate, rung at once (SIO): the first
/// to answer wins and the others are hung up with LOSE_RACE; if all fail,
/// the group fails with the cause of its first leg. Only ``CallEngine``
/// touches it, under its lock.
final class OriginateRace: @unchecked Sendable {
    /// The originated (`-a`) leg of each entry, once created.
    var legUUIDs: [String?]
    private var causes: [String?]
    private var pending: Int
    private var decided = false

    init(legs: Int) {
        legUUIDs = Array(repeating: nil, count: legs)
        causes = Array(repeating: nil, count: legs)
        pending = legs
    }

    /// True for the first leg to answer; false once the race is decided.
    func claim() -> Bool {
        guard !decided else { return false }
        decided = true
        return true
    }

    /// Records a failed leg; returns the group's cause when this was the
    /// last leg standing and nobody won, else nil.
    func legFailed(_ index: Int, cause: String) -> String? {
        guard !decided, causes[index] == nil else { return nil }
        causes[index] = cause
        pending -= 1
        guard pending == 0 else { return nil }
        decided = true
        return causes.lazy.compactMap { $0 }.first
    }
}
