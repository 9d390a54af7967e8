import CGenesis

/// One gauge series: a value that goes up and down. Gauges are relaxed
/// atomics on the shared array, because `set` must be seen by every thread.
public struct MetricGauge: Sendable, Hashable {
    public let handle: UInt32

    public init(handle: UInt32) {
        self.handle = handle
    }

    @inline(__always)
    public func set(_ value: Double) {
        gen_gauge_set(handle, value)
    }

    @inline(__always)
    public func add(_ delta: Double) {
        gen_gauge_add(handle, delta)
    }

    @inline(__always)
    public func increment() { gen_gauge_add(handle, 1) }

    @inline(__always)
    public func decrement() { gen_gauge_add(handle, -1) }

    public var value: Double { gen_gauge_value(handle) }
}
