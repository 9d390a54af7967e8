import Genesis
import Synchronization
import Testing

@Suite("Redis queue", .serialized)
struct QueueRedisTests {
    /// Two instances: two connections, two backends, one Redis queue.
    private func instances(_ server: RedisServerFixture, lease: Duration = .seconds(15)) async throws
        -> [(client: RedisClient, queue: Queue)]
    {
        var result: [(RedisClient, Queue)] = []
        for _ in 0..<2 {
            let client = try await server.client()
            result.append((client, Queue(backend: RedisQueueBackend(client: client, leaseDuration: lease))))
        }
        return result
    }

    @Test func twoInstancesKeepStrictOrder() async throws {
        try await withRedisServer { server in
            let pair = try await instances(server)
            try await QueueBehaviour.strictFIFO(pair.map(\.queue), name: "fifo")
            pair.forEach { $0.client.close() }
        }
    }

    @Test func twoInstancesKeepTheConcurrencyLimit() async throws {
        try await withRedisServer { server in
            let pair = try await instances(server)
            try await QueueBehaviour.limitHolds(pair.map(\.queue), name: "limit", limit: 3)
            pair.forEach { $0.client.close() }
        }
    }

    @Test func timeoutLeavesTheLine() async throws {
        try await withRedisServer { server in
            let pair = try await instances(server)
            try await QueueBehaviour.timeoutLeavesTheLine(pair[0].queue, name: "timeout")
            pair.forEach { $0.client.close() }
        }
    }

    @Test func cancelledWaiterLeaves() async throws {
        try await withRedisServer { server in
            let pair = try await instances(server)
            try await QueueBehaviour.cancelledWaiterLeaves(pair[1].queue, name: "cancel")
            let redis = pair[0].client
            #expect(try await redis.command("EXISTS", "genesis:queue:{cancel}:waiting") == .integer(0))
            #expect(try await redis.command("EXISTS", "genesis:queue:{cancel}:limit") == .integer(0))
            pair.forEach { $0.client.close() }
        }
    }

    @Test func aKilledInstancesSlotIsFreedWhenItsLeaseRunsOut() async throws {
        try await withRedisServer { server in
            let lease = Duration.milliseconds(900)
            let pair = try await instances(server, lease: lease)
            let (doomed, survivor) = (pair[0], pair[1])
            _ = try await doomed.queue.acquire("killed")
            // The holder's heartbeat keeps the slot past one lease while alive.
            let waiter = Task { try await survivor.queue.acquire("killed", item: "next") }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await survivor.queue.position(of: "next", in: "killed") == 1)
            let killedAt = ContinuousClock.now
            doomed.client.close() // no release: a crash
            let lease2 = try await waiter.value
            let took = ContinuousClock.now - killedAt
            #expect(lease2.item == "next")
            #expect(took < lease + .seconds(2))
            try await survivor.queue.release(lease2)
            survivor.client.close()
        }
    }

    @Test func aKilledInstancesWaiterDoesNotBlockTheLine() async throws {
        try await withRedisServer { server in
            let pair = try await instances(server, lease: .milliseconds(900))
            let (doomed, survivor) = (pair[0], pair[1])
            let holder = try await survivor.queue.acquire("dead-waiter")
            let ghost = Task { try await doomed.queue.acquire("dead-waiter", item: "ghost") }
            #expect(await eventually { (try? await survivor.queue.position(of: "ghost", in: "dead-waiter")) == 1 })
            let next = Task { try await survivor.queue.acquire("dead-waiter", item: "alive") }
            #expect(await eventually { (try? await survivor.queue.position(of: "alive", in: "dead-waiter")) == 2 })
            doomed.client.close()
            await #expect(throws: QueueError.self) { _ = try await ghost.value }
            try await survivor.queue.release(holder)
            let lease = try await next.value
            #expect(lease.item == "alive")
            try await survivor.queue.release(lease)
            survivor.client.close()
        }
    }

    @Test func aReleaseWakesOnlyTheFirstInLine() async throws {
        try await withRedisServer { server in
            let pair = try await instances(server)
            let monitor = try await server.client()
            let wakes = Locked<[String]>([])
            let subscription = try await monitor.subscribe(to: "genesis:queue:wake:" + ((pair[1].queue.backend as? RedisQueueBackend)?.instanceID ?? "")) { message in
                if case .message(let bytes) = message { wakes.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
            }
            let holder = try await pair[0].queue.acquire("herd")
            var waiters: [Task<QueueLease, Error>] = []
            for index in 0..<5 {
                let queue = pair[1].queue
                waiters.append(Task { try await queue.acquire("herd", item: "w\(index)") })
                #expect(await eventually { (try? await queue.position(of: "w\(index)", in: "herd")) == index + 1 })
            }
            try await pair[0].queue.release(holder)
            let first = try await waiters[0].value
            try await Task.sleep(for: .milliseconds(100))
            #expect(wakes.withLock { $0 } == ["herd\nw0"])
            try await pair[1].queue.release(first)
            for waiter in waiters.dropFirst() { try await pair[1].queue.release(try await waiter.value) }
            subscription.cancel()
            monitor.close()
            pair.forEach { $0.client.close() }
        }
    }
}
