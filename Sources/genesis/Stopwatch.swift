/// Elapsed wall time in seconds, from a clock that never jumps.
struct Stopwatch {
    private let start = ContinuousClock.now

    var seconds: Double {
        let (whole, fraction) = (ContinuousClock.now - start).components
        return Double(whole) + Double(fraction) / 1e18
    }
}
