import Genesis

/// Real call control, except that the originate of one dial string meets
/// what a loaded switch or connection can do to a ring group's leg: it is
/// sent late (another leg can answer before this one exists), or its
/// result is given up on while the leg goes on ringing in the switch (a
/// `bgapi` wait that timed out).
struct StallingOriginator: RingGroupOriginator {
    enum Stall: Sendable {
        /// The originate is sent this long after the others.
        case startLate(Duration)
        /// The originate is sent, but its caller stops waiting after this
        /// long with ``ESLError/timeout(operation:seconds:)``.
        case abandonAfter(Duration)
    }

    let calls: CallControl
    let stalled: String
    let stall: Stall

    func originate(
        _ dialString: String, variables: OriginateVariables, uuid: String?, application: String
    ) async throws -> Channel {
        guard dialString == stalled else {
            return try await calls.originate(dialString, variables: variables, uuid: uuid, application: application)
        }
        switch stall {
        case .startLate(let delay):
            try await Task.sleep(for: delay)
            return try await calls.originate(dialString, variables: variables, uuid: uuid, application: application)
        case .abandonAfter(let patience):
            // Ends when the leg is killed, at the latest at its originate_timeout.
            let calls = calls
            Task { _ = try? await calls.originate(dialString, variables: variables, uuid: uuid, application: application) }
            try await Task.sleep(for: patience)
            let seconds = Double(patience.components.seconds) + Double(patience.components.attoseconds) / 1e18
            throw ESLError.timeout(operation: "bgapi originate", seconds: seconds)
        }
    }

    func makeLegUUID() -> String { calls.makeLegUUID() }
    var ringGroupSender: any ESLCommandSender { calls.ringGroupSender }
    var ringGroupCaller: Channel? { nil }
}
