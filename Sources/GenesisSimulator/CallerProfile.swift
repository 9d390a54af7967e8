/// A channel's caller profile (SCA:switch_caller_profile_event_set_data):
/// rendered as `Caller-*` in channel data, `Other-Leg-*` for the other leg
/// and `Channel-*` at the top of the outbound `connect` reply.
struct CallerProfile {
    var direction: String
    var callerIDName = ""
    var callerIDNumber = "0000000000"
    var origCallerIDName = ""
    var origCallerIDNumber = "0000000000"
    /// `-ANI`: the caller's number as the profile was made, which the
    /// loopback flip of caller and callee leaves alone (nil until then: the
    /// caller ID number).
    var ani: String?
    var calleeIDName = "Outbound Call"
    var calleeIDNumber: String
    var destinationNumber: String
    var uuid: String
    var source = "mod_loopback"
    var context: String
    var channelName: String
    var createdTime: Int64
    var answeredTime: Int64 = 0
    var progressTime: Int64 = 0
    var progressMediaTime: Int64 = 0
    var hangupTime: Int64 = 0
    var bridgedTime: Int64 = 0

    /// Appends the profile under `prefix` in FreeSWITCH's order, leaving out
    /// empty fields as it does.
    func append(to event: inout SimulatorEvent, prefix: String) {
        func add(_ name: String, _ value: String) {
            if !value.isEmpty { event.append(prefix + name, value) }
        }
        add("-Direction", direction)
        add("-Logical-Direction", direction)
        add("-Dialplan", "xml")
        add("-Caller-ID-Name", callerIDName)
        add("-Caller-ID-Number", callerIDNumber)
        add("-Orig-Caller-ID-Name", origCallerIDName)
        add("-Orig-Caller-ID-Number", origCallerIDNumber)
        add("-Callee-ID-Name", calleeIDName)
        add("-Callee-ID-Number", calleeIDNumber)
        add("-ANI", ani ?? callerIDNumber)
        add("-Destination-Number", destinationNumber)
        add("-Unique-ID", uuid)
        add("-Source", source)
        add("-Context", context)
        add("-Channel-Name", channelName)
        add("-Profile-Index", "1")
        add("-Profile-Created-Time", String(createdTime))
        add("-Channel-Created-Time", String(createdTime))
        add("-Channel-Answered-Time", String(answeredTime))
        add("-Channel-Progress-Time", String(progressTime))
        add("-Channel-Progress-Media-Time", String(progressMediaTime))
        add("-Channel-Hangup-Time", String(hangupTime))
        add("-Channel-Transfer-Time", "0")
        add("-Channel-Resurrect-Time", "0")
        add("-Channel-Bridged-Time", String(bridgedTime))
        add("-Channel-Last-Hold", "0")
        add("-Channel-Hold-Accum", "0")
        add("-Screen-Bit", "true")
        add("-Privacy-Hide-Name", "false")
        add("-Privacy-Hide-Number", "false")
    }

    /// Loopback swaps caller and callee on the originated leg once it is
    /// answered (switch_channel_flip_cid, announced by CALL_UPDATE).
    mutating func flipCallerID() {
        if ani == nil { ani = callerIDNumber }
        (callerIDName, calleeIDName) = (calleeIDName, callerIDName)
        (callerIDNumber, calleeIDNumber) = (calleeIDNumber, callerIDNumber)
    }
}
