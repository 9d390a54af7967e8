/// What `play_and_get_digits` collected.
///
/// ```swift
/// let input = try await channel.playAndGetDigits(prompt: "ivr/menu.wav", minimum: 1, maximum: 1)
/// if input.outcome == .success { route(input.digits) }
/// ```
public struct CollectedDigits: Sendable, Equatable {
    /// How the collection ended (`read_result`).
    public enum Outcome: String, Sendable {
        /// Enough digits matching the expression.
        case success
        /// No (or too few) digits before the timeout, after every try.
        case timeout
        /// Digits that did not match, after every try.
        case failure
    }

    /// The digits, without the terminator; empty unless ``outcome`` is success.
    public var digits: String
    /// The terminator the caller pressed (`#`), if any.
    public var terminator: String?
    public var outcome: Outcome

    public init(digits: String, terminator: String?, outcome: Outcome) {
        self.digits = digits
        self.terminator = terminator
        self.outcome = outcome
    }
}
