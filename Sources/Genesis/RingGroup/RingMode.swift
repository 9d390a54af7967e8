/// How a ``RingGroup`` tries its destinations.
public enum RingMode: String, Sendable, CaseIterable {
    /// Every destination rings at the same moment; the first to answer wins
    /// and the others are hung up at once. The timeout is total.
    case parallel
    /// One destination at a time, in order; the timeout applies to each, and
    /// a busy or failed destination moves on at once.
    case sequential
    /// Sequential, in order of least load according to the balancer (which
    /// this mode requires).
    case balancing
}
