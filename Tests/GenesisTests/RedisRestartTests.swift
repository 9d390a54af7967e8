import Genesis
import Testing

/// A real redis-server killed and started again on the same port while the
/// client, a balancer and a queue use it. Nothing of Redis survives (no
/// persistence), as after a crash: the library must fail typed during the
/// outage, never hang, and work again once Redis is back.
@Suite("Redis restarts")
struct RedisRestartTests {
    /// What a command gets while Redis is down: `connectionLost` when it
    /// went out on the dying connection (its drop not yet noticed), then
    /// `connectionFailed` from each new attempt to connect.
    static func isOutage(_ error: (any Error)?) -> Bool {
        switch error as? RedisError {
        case .connectionLost?, .connectionFailed?: true
        default: false
        }
    }

    @Test func theClientFailsTypedDuringTheOutageAndReconnectsAfter() async throws {
        try await withRedisServer { server in
            let client = try await server.client()
            defer { client.close() }
            let observer = try await server.client()
            try await client.command("SET", "before", "1")

            // A command in flight when Redis dies: Redis has it (the client is
            // blocked in BLPOP), so it may have run.
            let blocked = try await blockedCommand(on: client, watchedBy: observer)
            let messages = Locked<[RedisMessage]>([])
            _ = try await client.subscribe(to: "news") { message in messages.withLock { $0.append(message) } }
            observer.close()
            server.stop()

            let inFlight = try await withDeadline(.seconds(10)) { await blocked.value }
            guard case .connectionLost? = inFlight else {
                Issue.record("in-flight command ended with \(String(describing: inFlight))")
                return
            }
            // The subscription is told its connection ended.
            #expect(await eventually {
                messages.withLock { $0.contains { if case .closed = $0 { true } else { false } } }
            })
            // During the outage every command fails at once (nothing listens).
            for _ in 0..<3 {
                let error = await thrown { try await withDeadline(.seconds(10)) { try await client.command("PING") } }
                #expect(Self.isOutage(error), "a command during the outage ended with \(String(describing: error))")
            }

            try await server.restart()
            #expect(try await client.command("PING") == .status("PONG"))
            // A fresh server: what the old one held is gone.
            #expect(try await client.command("GET", "before") == .null)
            // Subscribing again opens a new subscriber connection.
            let publisher = try await server.client()
            defer { publisher.close() }
            let again = try await client.subscribe(to: "news") { message in messages.withLock { $0.append(message) } }
            try await publisher.command("PUBLISH", "news", "back")
            #expect(await eventually { messages.withLock { $0.contains(.message(Array("back".utf8))) } })
            again.cancel()
        }
    }

    @Test func aHungRedisEndsCommandsAndConnectsAtTheirDeadline() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.commandTimeout = .milliseconds(300)
            configuration.connectTimeout = .milliseconds(300)
            let client = try await RedisClient.connect(configuration)
            defer { client.close() }
            server.pause()
            defer { server.resume() }
            let silent = await thrown { try await withDeadline(.seconds(10)) { try await client.command("PING") } }
            #expect(silent as? RedisError == .timeout(operation: "PING", after: .milliseconds(300)))
            // The kernel still accepts connections for the frozen server;
            // the handshake never completes, so connecting times out too.
            // (With a password, so that there is a handshake to wait for.)
            var withAuth = configuration
            withAuth.password = "any"
            let handshake = withAuth
            let connecting = await thrown { try await withDeadline(.seconds(10)) { try await RedisClient.connect(handshake) } }
            #expect(connecting as? RedisError == .timeout(operation: "connect", after: .milliseconds(300)))
            server.resume()
            // The late reply is dropped, not handed to the next command.
            #expect(await eventually { (try? await client.command("ECHO", "after")) == .bulk(Array("after".utf8)) })
        }
    }

    @Test func aBalancerAndAQueueInUseSurviveARedisRestart() async throws {
        try await withRedisServer { server in
            let client = try await server.client()
            defer { client.close() }
            let balancer = RedisLoadBalancer(client: client, keyPrefix: "restart:lb:")
            defer { balancer.close() }
            // A long lease: a waiter must be woken by the release's message,
            // not by its lease renewal (every 20 s).
            let queue = Queue(backend: RedisQueueBackend(client: client, keyPrefix: "restart:q:", leaseDuration: .seconds(60)))

            // In use: a call counted on an agent, a slot held, a caller waiting.
            let agent = try #require(try await balancer.acquire(among: ["agent-a", "agent-b"]))
            #expect(agent == "agent-a")
            let held = try await queue.acquire("sales", maxConcurrent: 1, timeout: .seconds(30), item: "held")
            let waiting = Task { () -> Result<QueueLease, QueueError> in
                do throws(QueueError) {
                    return .success(try await queue.acquire("sales", maxConcurrent: 1, timeout: .seconds(60), item: "waiting"))
                } catch {
                    return .failure(error)
                }
            }
            #expect(await eventually { (try? await queue.position(of: "waiting", in: "sales")) == 1 })

            server.stop()
            // The waiter learns at once, long before its 60 s timeout.
            let waited = try await withDeadline(.seconds(10)) { await waiting.value }
            guard case .failure(.storageFailed) = waited else {
                Issue.record("the waiter ended with \(waited)")
                return
            }
            // During the outage: typed errors at once, no waiting.
            let picking = await thrown {
                try await withDeadline(.seconds(10)) { try await balancer.acquire(among: ["agent-a", "agent-b"]) }
            }
            #expect(Self.isOutage(picking), "the balancer during the outage: \(String(describing: picking))")
            let joining = await thrown {
                try await withDeadline(.seconds(10)) { try await queue.acquire("sales", maxConcurrent: 1, timeout: .seconds(30)) }
            }
            guard case .storageFailed(let cause)? = joining as? QueueError, Self.isOutage(cause) else {
                Issue.record("the queue during the outage: \(String(describing: joining))")
                return
            }

            try await server.restart()
            // The call that was counted ends: its decrement works on the empty
            // server and never goes below zero; the lost slot's release too.
            try await balancer.decrement(agent)
            #expect(try await balancer.count("agent-a") == 0)
            try await queue.release(held)
            // Balancing works again, from zero.
            #expect(try await balancer.acquire(among: ["agent-a", "agent-b"]) == "agent-a")
            #expect(try await balancer.acquire(among: ["agent-a", "agent-b"]) == "agent-b")
            try await balancer.decrement("agent-a")
            try await balancer.decrement("agent-b")
            #expect(try await balancer.count("agent-a") == 0)
            #expect(try await balancer.count("agent-b") == 0)

            // The queue works again, wake-ups included (a new subscription).
            let first = try await queue.acquire("sales", maxConcurrent: 1, timeout: .seconds(10), item: "first")
            let second = Task { try await queue.acquire("sales", maxConcurrent: 1, timeout: .seconds(15), item: "second") }
            #expect(await eventually { (try? await queue.position(of: "second", in: "sales")) == 1 })
            try await queue.release(first)
            let lease = try await withDeadline(.seconds(20)) { try await second.value }
            try await queue.release(lease)
            // Nothing left in Redis: no holder, nobody in line.
            #expect(try await client.command("ZCARD", "restart:q:{sales}:holders") == .integer(0))
            #expect(try await client.command("LLEN", "restart:q:{sales}:waiting") == .integer(0))
        }
    }
}
