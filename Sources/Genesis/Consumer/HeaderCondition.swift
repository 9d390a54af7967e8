/// A condition on an event header, stacked on a ``Consumer`` handler: the
/// handler runs only when every condition holds (the Python library's
/// `filtrate`). Header names are case-insensitive, as FreeSWITCH's are; for
/// a multi-valued header the first value is tested.
///
/// ```swift
/// try consumer.on(subclass: "sofia::register", where: [
///     .present("from-user"),
///     .equals("status", "Registered(UDP)"),
///     .matches("contact", #"^"?<sip:10\."#),
/// ]) { event in print(event["from-user"] ?? "") }
/// ```
public struct HeaderCondition: Sendable {
    private enum Test: Sendable {
        case present
        case equals(String)
        case matches(Pattern)
    }

    /// A compiled regular expression. `Regex<AnyRegexOutput>` is not marked
    /// Sendable (its type-erased captures could be anything), but a compiled
    /// regex is immutable and matching never mutates it, so sharing it
    /// between lanes is safe.
    private final class Pattern: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    public let header: String
    private let test: Test

    /// The header exists (any value, even empty).
    public static func present(_ header: String) -> HeaderCondition {
        HeaderCondition(header: header, test: .present)
    }

    /// The header's value is exactly `value`.
    public static func equals(_ header: String, _ value: String) -> HeaderCondition {
        HeaderCondition(header: header, test: .equals(value))
    }

    /// The header's value matches `pattern` from its start (like Python's
    /// `re.match`); anchor with `$` for a whole-value match. Throws for an
    /// invalid pattern, when the handler is registered rather than per event.
    public static func matches(_ header: String, _ pattern: String) throws -> HeaderCondition {
        HeaderCondition(header: header, test: .matches(Pattern(try Regex(pattern))))
    }

    /// Whether `event` satisfies the condition.
    public func holds(for event: ESLEvent) -> Bool {
        guard let value = event[header] else { return false }
        switch test {
        case .present: return true
        case .equals(let expected): return value == expected
        case .matches(let pattern): return (try? pattern.regex.prefixMatch(in: value)) != nil
        }
    }
}
