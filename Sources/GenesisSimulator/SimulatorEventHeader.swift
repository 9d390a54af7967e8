/// One header of a simulated event. Most carry one value; channel variables
/// set with push semantics carry several, which each format renders its own
/// way (`ARRAY::a|:b` in plain, a JSON array, repeated XML elements).
public struct SimulatorEventHeader: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case single(String)
        case array([String])
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = .single(value)
    }

    public init(_ name: String, values: [String]) {
        self.name = name
        self.value = .array(values)
    }

    /// The value as FreeSWITCH's own lookup sees it: the first element of an
    /// array.
    public var firstValue: String {
        switch value {
        case .single(let text): text
        case .array(let values): values.first ?? ""
        }
    }
}
