/// One kind of channel operation: the `operation` label of
/// `genesis_channel_operations_total` and the span it runs in.
struct ChannelOperation: Sendable {
    let label: String
    let span: GenesisSpanName

    static let create = ChannelOperation(label: "create", span: .channelCreate)
    static let answer = ChannelOperation(label: "answer", span: .channelAnswer)
    static let preAnswer = ChannelOperation(label: "pre_answer", span: "channel.pre_answer")
    static let park = ChannelOperation(label: "park", span: .channelPark)
    static let hangup = ChannelOperation(label: "hangup", span: .channelHangup)
    static let bridge = ChannelOperation(label: "bridge", span: .channelBridge)
    static let playback = ChannelOperation(label: "playback", span: .channelPlayback)
    static let say = ChannelOperation(label: "say", span: .channelSay)
    static let playAndGetDigits = ChannelOperation(label: "play_and_get_digits", span: .channelPlayAndGetDigits)
    static let wait = ChannelOperation(label: "wait", span: .channelWait)
    static let sendDTMF = ChannelOperation(label: "send_dtmf", span: "channel.send_dtmf")
    static let setVariable = ChannelOperation(label: "set_variable", span: "channel.set_variable")
    static let getVariable = ChannelOperation(label: "get_variable", span: "channel.get_variable")
    static let record = ChannelOperation(label: "record", span: "channel.record")
    static let execute = ChannelOperation(label: "execute", span: "channel.execute")

    /// Runs `body` in the operation's span and records its outcome and duration.
    func run<T: Sendable>(uuid: String, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let value = try await GenesisTracing.withSpan(span, attributes: ["channel.uuid": uuid]) { _ in
                try await body()
            }
            record(success: true, error: "", since: started)
            return value
        } catch {
            record(success: false, error: Self.errorLabel(error), since: started)
            throw error
        }
    }

    private func record(success: Bool, error: String, since started: ContinuousClock.Instant) {
        guard GenesisMetrics.isEnabled else { return }
        GenesisMetrics.channelOperations.series(label, success ? "true" : "false", error).increment()
        GenesisMetrics.channelOperationDuration.series(label).observe(ContinuousClock.now - started)
        if self.label == "bridge" {
            GenesisMetrics.channelBridgeOperations.series(success ? "true" : "false", error).increment()
        }
    }

    /// A small fixed set, so the label never carries free text.
    static func errorLabel(_ error: any Error) -> String {
        switch error {
        case let error as ChannelError:
            switch error {
            case .callEnded: "call_ended"
            case .originateFailed: "originate_failed"
            case .applicationFailed: "application_failed"
            case .timeout: "timeout"
            case .invalidArgument: "invalid_argument"
            case .unsupported: "unsupported"
            }
        case let error as ESLError:
            switch error {
            case .commandFailed: "command_failed"
            case .timeout: "timeout"
            case .connectionClosed, .connectionLost: "connection_closed"
            case .invalidCommand: "invalid_argument"
            default: "other"
            }
        case is CancellationError: "cancelled"
        default: "other"
        }
    }
}
