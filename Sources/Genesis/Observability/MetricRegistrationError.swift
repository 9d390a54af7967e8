import CGenesis

/// The registry refused a family: a bad name, a different type, label set or
/// bucket layout under a name already registered, or no room left.
public struct MetricRegistrationError: Error, Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// The engine's GEN_E* code.
    public let code: Int

    public var description: String {
        "metric family '\(name)' refused: \(String(cString: gen_strerror(Int32(code))))"
    }
}
