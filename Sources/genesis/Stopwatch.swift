/// Elapsed wall time in seconds, from a clock that never jumps.
struct Stopwatch {
    private let start = ContinuousClock.now

    var seconds: Double { (ContinuousClock.now - start).seconds }
}
