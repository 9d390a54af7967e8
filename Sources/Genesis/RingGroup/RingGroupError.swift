/// Bad input to ``RingGroup/ring(on:destinations:mode:timeout:variables:balancer:)``;
/// nothing was dialled when one of these is thrown.
public enum RingGroupError: Error, Sendable, Equatable {
    /// The destination list was empty: there is nothing to ring.
    case emptyDestinations
    /// ``RingMode/balancing`` orders destinations by load, so it needs a balancer.
    case balancerRequired
    /// The timeout must be at least one second: FreeSWITCH's
    /// `originate_timeout` counts whole seconds.
    case invalidTimeout(Duration)
}
