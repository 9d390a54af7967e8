import Foundation

/// Durations in logarithmic buckets, for percentiles in constant memory:
/// a run of any length keeps the same 700 counters, and a percentile is
/// off by at most one bucket (2 %).
struct LatencyHistogram: Sendable {
    /// The first bucket holds everything up to 1 ms; each next bound is 2 %
    /// higher, up to about 1,000,000 s (the last bucket takes the rest).
    static let smallest = 0.001
    static let growth = 1.02
    private static let bucketCount = 1_400

    private var counts = [Int](repeating: 0, count: bucketCount)
    private(set) var count = 0
    private(set) var sum = 0.0
    private(set) var minimum = Double.infinity
    private(set) var maximum = 0.0

    mutating func record(_ seconds: Double) {
        let value = max(0, seconds)
        counts[Self.bucket(of: value)] += 1
        count += 1
        sum += value
        minimum = min(minimum, value)
        maximum = max(maximum, value)
    }

    mutating func record(_ duration: Duration) {
        record(duration.seconds)
    }

    /// The nearest-rank percentile (`fraction` 0.5 for p50), as its
    /// bucket's upper bound kept within the smallest and largest values
    /// seen; nil while empty.
    func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (index, bucketCount) in counts.enumerated() {
            seen += bucketCount
            if seen >= rank { return min(max(Self.upperBound(of: index), minimum), maximum) }
        }
        return maximum
    }

    var mean: Double? { count > 0 ? sum / Double(count) : nil }

    private static func bucket(of value: Double) -> Int {
        guard value > smallest else { return 0 }
        let index = Int((log(value / smallest) / log(growth)).rounded(.up))
        return min(index, bucketCount - 1)
    }

    private static func upperBound(of index: Int) -> Double {
        smallest * pow(growth, Double(index))
    }
}
