@testable import genesis
import Testing

@Suite("Latency histogram")
struct LatencyHistogramTests {
    @Test func emptyHasNoPercentile() {
        #expect(LatencyHistogram().percentile(0.5) == nil)
        #expect(LatencyHistogram().mean == nil)
    }

    @Test func percentilesAreWithinTwoPercentOfTheNearestRank() throws {
        var histogram = LatencyHistogram()
        for millisecond in 1...1000 { histogram.record(Double(millisecond) / 1000) }
        for (fraction, exact) in [(0.5, 0.5), (0.9, 0.9), (0.99, 0.99)] {
            let value = try #require(histogram.percentile(fraction))
            #expect(value >= exact && value <= exact * 1.02, "p\(Int(fraction * 100)) = \(value)")
        }
        #expect(histogram.count == 1000)
        #expect(abs(histogram.sum - 500.5) < 1e-9)
    }

    @Test func percentilesStayWithinTheValuesSeen() throws {
        var single = LatencyHistogram()
        single.record(3.0)
        #expect(single.percentile(0.5) == 3.0)
        var close = LatencyHistogram()
        close.record(2.0)
        close.record(2.001)
        let low = try #require(close.percentile(0.01))
        #expect(low >= 2.0 && low <= 2.001)
        #expect(close.percentile(1) == 2.001)
        #expect(close.maximum == 2.001)
    }

    @Test func extremesLandInTheEndBuckets() throws {
        var histogram = LatencyHistogram()
        histogram.record(-1)
        histogram.record(0)
        histogram.record(1e9)
        #expect(histogram.minimum == 0)
        // The first bucket holds everything up to 1 ms.
        #expect(try #require(histogram.percentile(0.5)) <= LatencyHistogram.smallest)
        #expect(histogram.percentile(1) == 1e9)
    }
}
