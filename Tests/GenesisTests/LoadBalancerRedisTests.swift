import Genesis
import Testing

@Suite("Redis load balancer", .serialized)
struct LoadBalancerRedisTests {
    @Test func twoClientsSharingOneBalancerSpreadEvenly() async throws {
        try await withRedisServer { server in
            let first = RedisLoadBalancer(client: try await server.client(), keyPrefix: "t:lb:")
            let second = RedisLoadBalancer(client: try await server.client(), keyPrefix: "t:lb:")
            let destinations = ["a", "b", "c", "d"]
            let picks = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<200 {
                    let balancer = index.isMultiple(of: 2) ? first : second
                    group.addTask { (index % 2, try await balancer.acquire(among: destinations)) }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            // Pick and increment are one step: 200 concurrent picks land 50 each.
            for destination in destinations {
                #expect(try await first.count(destination) == 50)
                #expect(try await second.count(destination) == 50)
            }
            // Each instance takes off the calls it counted.
            for (owner, destination) in picks where destination == "a" {
                try await (owner == 0 ? first : second).decrement("a")
            }
            #expect(try await second.count("a") == 0)
            #expect(try await first.count("b") == 50)
            #expect(try await second.acquire(among: destinations) == "a")
            first.client.close()
            second.client.close()
        }
    }

    @Test func leastLoadedAndDecrementFloor() async throws {
        try await withRedisServer { server in
            let balancer = RedisLoadBalancer(client: try await server.client())
            try await balancer.increment("busy")
            #expect(try await balancer.leastLoaded(among: ["busy", "idle"]) == "idle")
            #expect(try await balancer.count("idle") == 0)
            try await balancer.decrement("busy")
            try await balancer.decrement("busy")
            #expect(try await balancer.count("busy") == 0)
            #expect(try await balancer.leastLoaded(among: []) == nil)
            balancer.client.close()
        }
    }

    @Test func aCrashedInstancesLoadExpiresAfterItsLease() async throws {
        try await withRedisServer { server in
            let lease = Duration.milliseconds(600)
            let crashing = RedisLoadBalancer(client: try await server.client(), leaseDuration: lease)
            let survivor = RedisLoadBalancer(client: try await server.client(), leaseDuration: lease)
            for _ in 0..<3 { try await crashing.increment("a") }
            try await survivor.increment("b")
            // A live instance keeps its load past the lease (its heartbeat renews it).
            try await Task.sleep(for: .milliseconds(1200))
            #expect(try await survivor.count("a") == 3)
            #expect(try await survivor.acquire(among: ["a", "b"]) == "b")
            // The crash: the connection goes, nothing is decremented.
            crashing.client.close()
            crashing.close()
            let expired = try await eventually(timeout: .seconds(3)) { try await survivor.count("a") == 0 }
            #expect(expired)
            #expect(try await survivor.count("b") == 2) // the survivor's own load stays
            #expect(try await survivor.acquire(among: ["b", "a"]) == "a")
            survivor.client.close()
        }
    }

    @Test func scriptsAreReloadedAfterAFlush() async throws {
        try await withRedisServer { server in
            let client = try await server.client()
            let balancer = RedisLoadBalancer(client: client)
            try await balancer.increment("a")
            try await client.command("SCRIPT", "FLUSH")
            try await balancer.increment("a")
            #expect(try await balancer.count("a") == 2)
            client.close()
        }
    }
}
