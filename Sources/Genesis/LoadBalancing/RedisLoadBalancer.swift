import Synchronization

/// A `LoadBalancer` whose counts live in Redis, shared by every instance of
/// the application that uses the same Redis and key prefix.
///
/// Load is the number of calls in progress through the balancers sharing the
/// prefix (see `LoadBalancer`). Each instance's share is kept apart and held
/// under a lease: an instance that holds load refreshes its lease every
/// `leaseDuration / 3`; when an instance dies, its lease runs out and its
/// calls stop counting after at most `leaseDuration`, instead of pinning the
/// destination as "busy" forever.
///
/// Data layout (`P` is `keyPrefix`):
/// - `P` + `instances`: sorted set, member = instance id, score = lease
///   expiry (Redis server time, ms);
/// - `P` + `load:` + destination: hash, field = instance id, value = that
///   instance's calls in progress there.
///
/// `acquire` is one Lua script: expired instances are dropped, the
/// candidates' loads summed, the least-loaded one chosen (ties: list order)
/// and incremented, all atomically, so two instances never race between the
/// read and the increment. Use a hash tag in the prefix
/// (`"genesis:lb:{calls}:"`) on Redis Cluster, so all keys share a slot.
public final class RedisLoadBalancer: LoadBalancer {
    public typealias Failure = RedisError

    public let client: RedisClient
    public let keyPrefix: String
    public let leaseDuration: Duration
    /// This instance's id in Redis (random unless given).
    public let instanceID: String

    private struct State {
        var localLoad = 0
        var heartbeat: Task<Void, Never>?
    }
    private let state = Lock(State())

    public init(
        client: RedisClient, keyPrefix: String = "genesis:lb:", leaseDuration: Duration = .seconds(30),
        instanceID: String? = nil
    ) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.leaseDuration = leaseDuration
        self.instanceID = instanceID ?? UUIDGenerator.next()
    }

    deinit {
        state.withLock { $0.heartbeat?.cancel() }
    }

    public func leastLoaded(among candidates: [String]) async throws(RedisError) -> String? {
        try await pick(candidates, take: false)
    }

    public func acquire(among candidates: [String]) async throws(RedisError) -> String? {
        try await pick(candidates, take: true)
    }

    public func increment(_ destination: String) async throws(RedisError) {
        _ = try await pick([destination], take: true)
    }

    public func decrement(_ destination: String) async throws(RedisError) {
        let reply = try await Self.decrementScript.run(
            on: client, keys: [instancesKey, loadKey(destination)], arguments: [instanceID])
        guard reply.integer != nil else { throw RedisError.unexpectedReply("decrement: \(reply)") }
        changeLocalLoad(by: -1)
    }

    public func count(_ destination: String) async throws(RedisError) -> Int {
        let reply = try await Self.pickScript.run(
            on: client, keys: [instancesKey, loadKey(destination)], arguments: [instanceID, leaseMilliseconds, "0"])
        guard let values = reply.array, values.count == 2, let load = values[1].integer else {
            throw RedisError.unexpectedReply("count: \(reply)")
        }
        return Int(load)
    }

    /// Stops refreshing this instance's lease (its load then expires).
    public func close() {
        state.withLock { state in
            state.heartbeat?.cancel()
            state.heartbeat = nil
        }
    }

    private var instancesKey: String { keyPrefix + "instances" }
    private func loadKey(_ destination: String) -> String { keyPrefix + "load:" + destination }
    private var leaseMilliseconds: String { String(leaseDuration.components.seconds * 1000
        + leaseDuration.components.attoseconds / 1_000_000_000_000_000) }

    private func pick(_ candidates: [String], take: Bool) async throws(RedisError) -> String? {
        guard !candidates.isEmpty else { return nil }
        let reply = try await Self.pickScript.run(
            on: client, keys: [instancesKey] + candidates.map(loadKey),
            arguments: [instanceID, leaseMilliseconds, take ? "1" : "0"])
        guard let values = reply.array, values.count == 2, let index = values[0].integer,
            index >= 1, index <= candidates.count
        else { throw RedisError.unexpectedReply("pick: \(reply)") }
        if take { changeLocalLoad(by: 1) }
        return candidates[Int(index) - 1]
    }

    /// The lease is refreshed only while this instance holds load: an idle
    /// instance has nothing to lose when it lapses.
    private func changeLocalLoad(by delta: Int) {
        state.withLock { state in
            state.localLoad = max(0, state.localLoad + delta)
            if state.localLoad > 0, state.heartbeat == nil {
                state.heartbeat = Task { [weak self, interval = leaseDuration / 3] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        guard let self, !Task.isCancelled else { return }
                        _ = try? await Self.heartbeatScript.run(
                            on: self.client, keys: [self.instancesKey],
                            arguments: [self.instanceID, self.leaseMilliseconds])
                    }
                }
            } else if state.localLoad == 0 {
                state.heartbeat?.cancel()
                state.heartbeat = nil
            }
        }
    }

    // KEYS[1] instances, KEYS[2..] load hashes; ARGV instance, lease ms, take.
    // Returns {index (1-based) of the least-loaded candidate, its load}.
    static let pickScript = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local me, lease, take = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if take then redis.call('ZADD', KEYS[1], now + lease, me) end
        local best, bestLoad = 0, -1
        for i = 2, #KEYS do
          local fields = redis.call('HGETALL', KEYS[i])
          local load = 0
          for j = 1, #fields, 2 do
            if redis.call('ZSCORE', KEYS[1], fields[j]) then
              load = load + tonumber(fields[j + 1])
            else
              redis.call('HDEL', KEYS[i], fields[j])
            end
          end
          if bestLoad < 0 or load < bestLoad then best, bestLoad = i - 1, load end
        end
        if take then
          redis.call('HINCRBY', KEYS[best + 1], me, 1)
          bestLoad = bestLoad + 1
        end
        return {best, bestLoad}
        """)

    // KEYS[1] instances, KEYS[2] load hash; ARGV instance. Never below zero.
    static let decrementScript = RedisScript(
        """
        local n = redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
        if n <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
        return math.max(n, 0)
        """)

    // KEYS[1] instances; ARGV instance, lease ms.
    static let heartbeatScript = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        """)
}
