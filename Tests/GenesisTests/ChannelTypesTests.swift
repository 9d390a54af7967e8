import Genesis
import Testing

@Suite("Channel value types")
struct ChannelTypesTests {
    @Test func channelStatesMapNamesAndNumbers() {
        #expect(ChannelState(name: "CS_EXECUTE") == .execute)
        #expect(ChannelState.execute.code == 4)
        #expect(ChannelState(name: "CS_NONE").code == 13)
        #expect(ChannelState(name: "CS_FUTURE") == .unknown("CS_FUTURE"))
        #expect(ChannelState(name: "CS_FUTURE").code == nil)
        #expect(ChannelState.reporting.isFinal && !ChannelState.park.isFinal)
    }

    @Test func hangupCausesCarryQ850Codes() {
        #expect(HangupCause(name: "USER_BUSY") == .userBusy)
        #expect(HangupCause.userBusy.code == 17)
        #expect(HangupCause(name: "no_answer") == .noAnswer)
        #expect(HangupCause(name: "17") == .userBusy)
        #expect(HangupCause.originatorCancel.code == 487)
        #expect(HangupCause.originatorCancel.q850 == 16)
        #expect(HangupCause.normalClearing.q850 == 16)
        #expect(HangupCause(name: "SOMETHING_NEW") == .unknown("SOMETHING_NEW"))
        #expect(HangupCause(name: "SOMETHING_NEW").code == nil)
        #expect(HangupCause.requestedChannelUnavailable.name == "REQUESTED_CHAN_UNAVAIL")
    }

    @Test func originateVariablesEscapeForFreeSWITCHsParsers() throws {
        var variables = OriginateVariables()
        variables.callerIDName = "Doe, John"
        variables.callerIDNumber = "1001"
        variables["note"] = "it's"
        variables["path"] = #"C:\x"#
        #expect(try variables.rendered()
            == #"{origination_caller_id_name='Doe\, John',origination_caller_id_number=1001,note=it\'s,path=C:\\x}"#)
        variables.callerIDName = nil
        #expect(variables["origination_caller_id_name"] == nil)
        #expect(try OriginateVariables().rendered() == "")
        #expect(throws: ChannelError.invalidArgument(reason: "a variable value cannot contain a line break")) {
            try OriginateVariables(["x": "a\nb"]).rendered()
        }
    }
}
