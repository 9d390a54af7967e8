import Genesis
import Synchronization
import Testing

@Suite("Redis client", .serialized)
struct RedisClientTests {
    @Test func repliesAndBinarySafeArguments() async throws {
        try await withRedisServer { server in
            let redis = try await server.client()
            let bytes: [UInt8] = [0, 13, 10, 255, 65]
            #expect(try await redis.command(bytes: [Array("SET".utf8), Array("k".utf8), bytes]) == .status("OK"))
            #expect(try await redis.command("GET", "k") == .bulk(bytes))
            #expect(try await redis.command("INCRBY", "n", "5") == .integer(5))
            #expect(try await redis.command("GET", "missing") == .null)
            try await redis.command("RPUSH", "l", "x", "y")
            #expect(try await redis.command("LRANGE", "l", "0", "-1") == .array([.bulk([120]), .bulk([121])]))
            await #expect(throws: RedisError.self) { try await redis.command("INCR", "l") }
            do throws(RedisError) {
                try await redis.command("INCR", "l")
            } catch {
                guard case .serverError(let message) = error else { Issue.record("\(error)"); return }
                #expect(message.hasPrefix("WRONGTYPE"))
            }
            redis.close()
            await #expect(throws: RedisError.connectionClosed) { try await redis.command("PING") }
        }
    }

    @Test func databaseSelectionAndRefusedConnection() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.database = 2
            let db2 = try await RedisClient.connect(configuration)
            try await db2.command("SET", "where", "two")
            let db0 = try await server.client()
            #expect(try await db0.command("EXISTS", "where") == .integer(0))
            db2.close()
            db0.close()
            configuration.password = "wrong"
            await #expect(throws: RedisError.authenticationFailed) { _ = try await RedisClient.connect(configuration) }
        }
        let refused = RedisConfiguration(host: "127.0.0.1", port: 1)
        await #expect(throws: RedisError.self) { _ = try await RedisClient.connect(refused) }
    }

    @Test func publishReachesSubscribersUntilCancelled() async throws {
        try await withRedisServer { server in
            let subscriber = try await server.client()
            let publisher = try await server.client()
            let received = Locked<[String]>([])
            let first = try await subscriber.subscribe(to: "news") { message in
                if case .message(let bytes) = message { received.withLock { $0.append("1:" + String(decoding: bytes, as: UTF8.self)) } }
            }
            let second = try await subscriber.subscribe(to: "news") { message in
                if case .message(let bytes) = message { received.withLock { $0.append("2:" + String(decoding: bytes, as: UTF8.self)) } }
            }
            // One Redis subscription for both handlers.
            #expect(try await publisher.command("PUBLISH", "news", "hello") == .integer(1))
            #expect(await eventually { received.withLock { $0.count } == 2 })
            first.cancel()
            try await publisher.command("PUBLISH", "news", "again")
            #expect(await eventually { received.withLock { $0.contains("2:again") } })
            #expect(!received.withLock { $0.contains("1:again") })
            second.cancel()
            #expect(await eventually {
                (try? await publisher.command("PUBLISH", "news", "nobody")) == .integer(0)
            })
            // Subscribing again after the last handler left works.
            let third = try await subscriber.subscribe(to: "news") { message in
                if case .message(let bytes) = message { received.withLock { $0.append("3:" + String(decoding: bytes, as: UTF8.self)) } }
            }
            try await publisher.command("PUBLISH", "news", "back")
            #expect(await eventually { received.withLock { $0.contains("3:back") } })
            third.cancel()
            subscriber.close()
            publisher.close()
        }
    }

    @Test func aKilledConnectionFailsTheCommandInFlightAndTheNextOneReconnects() async throws {
        try await withRedisServer { server in
            let victim = try await server.client()
            let killer = try await server.client()
            guard let id = try await victim.command("CLIENT", "ID").integer else { Issue.record("no id"); return }
            let blocked = try await blockedCommand(on: victim, watchedBy: killer)
            try await killer.command("CLIENT", "KILL", "ID", String(id))
            let inFlight = try await withDeadline(.seconds(10)) { await blocked.value }
            guard case .connectionLost? = inFlight else {
                Issue.record("the killed command ended with \(String(describing: inFlight))")
                return
            }
            // The next command connects again: a new connection, a new id.
            let newID = try await victim.command("CLIENT", "ID").integer
            #expect(newID != nil && newID != id)
            victim.close()
            killer.close()
        }
    }
}
