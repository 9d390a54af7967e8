/// Takes an answered call off its destination's load when the call ends.
///
/// Load means *active calls*: a ring group counts the destination when its
/// leg answers and is handed over, and this watcher decrements it once the
/// channel hangs up (or its connection closes, which also ends the channel
/// for us). The watcher is an unstructured task because it must outlive the
/// `ring` call that created it; its life is bounded by the channel's.
enum BalancerRelease {
    static func whenEnded(_ channel: Channel, destination: String, balancer: any LoadBalancer) {
        Task {
            while !channel.hasEnded {
                do {
                    try await channel.wait(for: .hangup, timeout: .seconds(3600))
                } catch ChannelError.timeout {
                    continue
                } catch {
                    break
                }
            }
            try? await balancer.decrement(destination)
        }
    }
}
