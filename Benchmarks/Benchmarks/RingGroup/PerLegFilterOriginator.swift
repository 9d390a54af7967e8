import Genesis

/// Call control whose legs get random UUIDs instead of the connection's
/// prefixed ones, so each leg costs a `filter Unique-ID <uuid>` round trip
/// before its `bgapi` (and a `filter delete` after it), as every leg did
/// before call control filtered by UUID prefix. `--uuids per-leg` runs the
/// same groups this way, for a comparison in one run.
struct PerLegFilterOriginator: RingGroupOriginator {
    let calls: CallControl

    func originate(
        _ dialString: String, variables: OriginateVariables, uuid: String?, application: String
    ) async throws -> Channel {
        try await calls.originate(dialString, variables: variables, uuid: uuid, application: application)
    }

    var ringGroupSender: any ESLCommandSender { calls.ringGroupSender }
    var ringGroupCaller: Channel? { nil }
}
