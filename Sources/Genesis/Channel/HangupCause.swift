/// Why a call ended, as FreeSWITCH names it (`Hangup-Cause`, `-ERR USER_BUSY`),
/// with its Q.850 code (ESL.md 7). Codes above 127 are FreeSWITCH's own.
/// A name or number this library does not know maps to ``unknown(_:)``.
///
/// ```swift
/// HangupCause(name: "USER_BUSY").code     // 17
/// HangupCause(name: "17")                 // .userBusy (numbers are accepted, as FreeSWITCH does)
/// ```
public enum HangupCause: Sendable, Hashable, CustomStringConvertible {
    case none, unallocatedNumber, noRouteTransitNet, noRouteDestination, channelUnacceptable
    case callAwardedDelivered, normalClearing, userBusy, noUserResponse, noAnswer, subscriberAbsent
    case callRejected, numberChanged, redirectionToNewDestination, exchangeRoutingError
    case destinationOutOfOrder, invalidNumberFormat, facilityRejected, responseToStatusEnquiry
    case normalUnspecified, normalCircuitCongestion, networkOutOfOrder, normalTemporaryFailure
    case switchCongestion, accessInfoDiscarded, requestedChannelUnavailable, preEmpted
    case facilityNotSubscribed, outgoingCallBarred, incomingCallBarred, bearerCapabilityNotAuthorized
    case bearerCapabilityNotAvailable, serviceUnavailable, bearerCapabilityNotImplemented
    case channelNotImplemented, facilityNotImplemented, serviceNotImplemented, invalidCallReference
    case incompatibleDestination, invalidMessageUnspecified, mandatoryIEMissing, messageTypeNonexistent
    case wrongMessage, ieNonexistent, invalidIEContents, wrongCallState, recoveryOnTimerExpire
    case mandatoryIELengthError, protocolError, interworking, success, originatorCancel, crash
    case systemShutdown, loseRace, managerRequest, blindTransfer, attendedTransfer, allottedTimeout
    case userChallenge, mediaTimeout, pickedOff, userNotRegistered, progressTimeout, invalidGateway
    case gatewayDown, invalidURL, invalidProfile, noPickup, srtpReadError, bowout, busyEverywhere
    case decline, doesNotExistAnywhere, notAcceptable, unwanted, noIdentity, badIdentityInfo
    case unsupportedCertificate, invalidIdentity, staleDate, rejectAll
    case unknown(String)

    private static let table: [(HangupCause, String, Int)] = [
        (.none, "NONE", 0), (.unallocatedNumber, "UNALLOCATED_NUMBER", 1),
        (.noRouteTransitNet, "NO_ROUTE_TRANSIT_NET", 2), (.noRouteDestination, "NO_ROUTE_DESTINATION", 3),
        (.channelUnacceptable, "CHANNEL_UNACCEPTABLE", 6), (.callAwardedDelivered, "CALL_AWARDED_DELIVERED", 7),
        (.normalClearing, "NORMAL_CLEARING", 16), (.userBusy, "USER_BUSY", 17),
        (.noUserResponse, "NO_USER_RESPONSE", 18), (.noAnswer, "NO_ANSWER", 19),
        (.subscriberAbsent, "SUBSCRIBER_ABSENT", 20), (.callRejected, "CALL_REJECTED", 21),
        (.numberChanged, "NUMBER_CHANGED", 22), (.redirectionToNewDestination, "REDIRECTION_TO_NEW_DESTINATION", 23),
        (.exchangeRoutingError, "EXCHANGE_ROUTING_ERROR", 25), (.destinationOutOfOrder, "DESTINATION_OUT_OF_ORDER", 27),
        (.invalidNumberFormat, "INVALID_NUMBER_FORMAT", 28), (.facilityRejected, "FACILITY_REJECTED", 29),
        (.responseToStatusEnquiry, "RESPONSE_TO_STATUS_ENQUIRY", 30), (.normalUnspecified, "NORMAL_UNSPECIFIED", 31),
        (.normalCircuitCongestion, "NORMAL_CIRCUIT_CONGESTION", 34), (.networkOutOfOrder, "NETWORK_OUT_OF_ORDER", 38),
        (.normalTemporaryFailure, "NORMAL_TEMPORARY_FAILURE", 41), (.switchCongestion, "SWITCH_CONGESTION", 42),
        (.accessInfoDiscarded, "ACCESS_INFO_DISCARDED", 43), (.requestedChannelUnavailable, "REQUESTED_CHAN_UNAVAIL", 44),
        (.preEmpted, "PRE_EMPTED", 45), (.facilityNotSubscribed, "FACILITY_NOT_SUBSCRIBED", 50),
        (.outgoingCallBarred, "OUTGOING_CALL_BARRED", 52), (.incomingCallBarred, "INCOMING_CALL_BARRED", 54),
        (.bearerCapabilityNotAuthorized, "BEARERCAPABILITY_NOTAUTH", 57),
        (.bearerCapabilityNotAvailable, "BEARERCAPABILITY_NOTAVAIL", 58), (.serviceUnavailable, "SERVICE_UNAVAILABLE", 63),
        (.bearerCapabilityNotImplemented, "BEARERCAPABILITY_NOTIMPL", 65),
        (.channelNotImplemented, "CHAN_NOT_IMPLEMENTED", 66), (.facilityNotImplemented, "FACILITY_NOT_IMPLEMENTED", 69),
        (.serviceNotImplemented, "SERVICE_NOT_IMPLEMENTED", 79), (.invalidCallReference, "INVALID_CALL_REFERENCE", 81),
        (.incompatibleDestination, "INCOMPATIBLE_DESTINATION", 88), (.invalidMessageUnspecified, "INVALID_MSG_UNSPECIFIED", 95),
        (.mandatoryIEMissing, "MANDATORY_IE_MISSING", 96), (.messageTypeNonexistent, "MESSAGE_TYPE_NONEXIST", 97),
        (.wrongMessage, "WRONG_MESSAGE", 98), (.ieNonexistent, "IE_NONEXIST", 99),
        (.invalidIEContents, "INVALID_IE_CONTENTS", 100), (.wrongCallState, "WRONG_CALL_STATE", 101),
        (.recoveryOnTimerExpire, "RECOVERY_ON_TIMER_EXPIRE", 102), (.mandatoryIELengthError, "MANDATORY_IE_LENGTH_ERROR", 103),
        (.protocolError, "PROTOCOL_ERROR", 111), (.interworking, "INTERWORKING", 127), (.success, "SUCCESS", 142),
        (.originatorCancel, "ORIGINATOR_CANCEL", 487), (.crash, "CRASH", 700), (.systemShutdown, "SYSTEM_SHUTDOWN", 701),
        (.loseRace, "LOSE_RACE", 702), (.managerRequest, "MANAGER_REQUEST", 703), (.blindTransfer, "BLIND_TRANSFER", 800),
        (.attendedTransfer, "ATTENDED_TRANSFER", 801), (.allottedTimeout, "ALLOTTED_TIMEOUT", 802),
        (.userChallenge, "USER_CHALLENGE", 803), (.mediaTimeout, "MEDIA_TIMEOUT", 804), (.pickedOff, "PICKED_OFF", 805),
        (.userNotRegistered, "USER_NOT_REGISTERED", 806), (.progressTimeout, "PROGRESS_TIMEOUT", 807),
        (.invalidGateway, "INVALID_GATEWAY", 808), (.gatewayDown, "GATEWAY_DOWN", 809), (.invalidURL, "INVALID_URL", 810),
        (.invalidProfile, "INVALID_PROFILE", 811), (.noPickup, "NO_PICKUP", 812), (.srtpReadError, "SRTP_READ_ERROR", 813),
        (.bowout, "BOWOUT", 814), (.busyEverywhere, "BUSY_EVERYWHERE", 815), (.decline, "DECLINE", 816),
        (.doesNotExistAnywhere, "DOES_NOT_EXIST_ANYWHERE", 817), (.notAcceptable, "NOT_ACCEPTABLE", 818),
        (.unwanted, "UNWANTED", 819), (.noIdentity, "NO_IDENTITY", 820), (.badIdentityInfo, "BAD_IDENTITY_INFO", 821),
        (.unsupportedCertificate, "UNSUPPORTED_CERTIFICATE", 822), (.invalidIdentity, "INVALID_IDENTITY", 823),
        (.staleDate, "STALE_DATE", 824), (.rejectAll, "REJECT_ALL", 825),
    ]

    /// From a name (any case, as FreeSWITCH parses causes) or a decimal code.
    public init(name: String) {
        let upper = name.uppercased()
        if let entry = Self.table.first(where: { $0.1 == upper }) {
            self = entry.0
        } else if let number = Int(name), let entry = Self.table.first(where: { $0.2 == number }) {
            self = entry.0
        } else {
            self = .unknown(name)
        }
    }

    /// The name FreeSWITCH prints (`USER_BUSY`).
    public var name: String {
        if case .unknown(let name) = self { return name }
        return Self.table.first { $0.0 == self }?.1 ?? "UNKNOWN"
    }

    /// The cause code: Q.850 for 1–127, FreeSWITCH's own above; nil when unknown.
    public var code: Int? {
        Self.table.first { $0.0 == self }?.2
    }

    /// What FreeSWITCH reports as `hangup_cause_q850`: the code itself for
    /// Q.850 causes, 16 (normal clearing) for FreeSWITCH's own.
    public var q850: Int? {
        guard let code else { return nil }
        return code <= 127 ? code : 16
    }

    public var description: String { name }
}
