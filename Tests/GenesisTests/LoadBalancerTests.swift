import Genesis
import Testing

@Suite("In-memory load balancer")
struct LoadBalancerTests {
    @Test func acquireSpreadsEvenlyAndTiesGoToListOrder() {
        let balancer = InMemoryLoadBalancer()
        let picks = (0..<6).map { _ in balancer.acquire(among: ["a", "b", "c"])! }
        #expect(picks == ["a", "b", "c", "a", "b", "c"])
        #expect(["a", "b", "c"].map(balancer.count) == [2, 2, 2])
        #expect(balancer.acquire(among: []) == nil)
    }

    @Test func leastLoadedDoesNotCount() {
        let balancer = InMemoryLoadBalancer()
        balancer.increment("a")
        #expect(balancer.leastLoaded(among: ["a", "b"]) == "b")
        #expect(balancer.leastLoaded(among: ["a", "b"]) == "b")
        #expect(balancer.count("b") == 0)
    }

    @Test func decrementNeverGoesBelowZero() {
        let balancer = InMemoryLoadBalancer()
        balancer.increment("a")
        balancer.decrement("a")
        balancer.decrement("a")
        #expect(balancer.count("a") == 0)
        balancer.increment("a")
        #expect(balancer.count("a") == 1)
    }

    @Test func concurrentAcquiresStayEven() async {
        let balancer = InMemoryLoadBalancer()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<400 { group.addTask { _ = balancer.acquire(among: ["a", "b", "c", "d"]) } }
        }
        #expect(["a", "b", "c", "d"].map(balancer.count) == [100, 100, 100, 100])
    }

    @Test func withLoadCountsWhileTheBodyRunsAndUncountsOnThrow() async throws {
        let balancer = InMemoryLoadBalancer()
        let seen = try await balancer.withLoad(among: ["x", "y"]) { destination in
            (destination, balancer.count(destination))
        }
        #expect(seen?.0 == "x" && seen?.1 == 1)
        #expect(balancer.count("x") == 0)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            _ = try await balancer.withLoad(among: ["x"]) { _ -> Int in throw Boom() }
        }
        #expect(balancer.count("x") == 0)
    }
}
