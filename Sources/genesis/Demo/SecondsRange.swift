import ArgumentParser

/// `--talk 1-5` (seconds, a random time in between for each call) or
/// `--talk 3` (always 3 s).
struct SecondsRange: ExpressibleByArgument, Sendable {
    var range: ClosedRange<Double>

    init(_ range: ClosedRange<Double>) {
        self.range = range
    }

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              let low = Double(parts[0]), let high = Double(parts[parts.count - 1]),
              low.isFinite, high.isFinite, low >= 0, low <= high
        else { return nil }
        range = low...high
    }

    var defaultValueDescription: String {
        "\(CallCenterDemo.number(range.lowerBound))-\(CallCenterDemo.number(range.upperBound))"
    }
}
