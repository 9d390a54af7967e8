/// The Lua scripts of `RedisQueueBackend`. Each runs atomically in Redis
/// and reads the time from Redis (`TIME`), so instances' clocks never matter.
///
/// KEYS (for queue q, prefix P, all with the hash tag `{q}`):
///   1 `P{q}:waiting`  list: the line, first at index 0
///   2 `P{q}:leases`   sorted set: waiting item -> lease expiry (ms)
///   3 `P{q}:holders`  sorted set: holding item -> lease expiry (ms)
///   4 `P{q}:wake`     hash: waiting item -> pub/sub channel of its instance
///   5 `P{q}:limit`    string: the queue's maxConcurrent while it is in use
/// ARGV[1] is always the queue name (for wake-up payloads "queue\nitem").
enum RedisQueueScripts {
    private static let prelude = """
        local waiting, leases, holders, wake, limitKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local queue = ARGV[1]
        -- Drops holders and waiters whose lease ran out (their instance died).
        local function prune()
          local changed = redis.call('ZREMRANGEBYSCORE', holders, '-inf', now) > 0
          local dead = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
          for _, item in ipairs(dead) do
            redis.call('LREM', waiting, 1, item)
            redis.call('ZREM', leases, item)
            redis.call('HDEL', wake, item)
            changed = true
          end
          return changed
        end
        local function limit() return tonumber(redis.call('GET', limitKey) or '0') end
        -- Wakes exactly one waiter, the first in line, when a slot is free:
        -- never every waiter (no thundering herd).
        local function wakeHead()
          if redis.call('ZCARD', holders) < limit() then
            local head = redis.call('LINDEX', waiting, 0)
            if head then
              local channel = redis.call('HGET', wake, head)
              if channel then redis.call('PUBLISH', channel, queue .. '\\n' .. head) end
            end
          end
        end
        local function tidy()
          if redis.call('LLEN', waiting) == 0 and redis.call('ZCARD', holders) == 0 then
            redis.call('DEL', limitKey)
          end
        end
        -- {1, 0, 0} the item took a slot; {0, place, retry ms} it waits
        -- (retry: when the lease of what blocks it runs out, 0 if nothing
        -- to watch); {-1, 0, 0} it is not in line (its lease ran out).
        local function try(item, lease)
          local pos = redis.call('LPOS', waiting, item)
          if not pos then return {-1, 0, 0} end
          if pos == 0 and redis.call('ZCARD', holders) < limit() then
            redis.call('LPOP', waiting)
            redis.call('ZREM', leases, item)
            redis.call('HDEL', wake, item)
            redis.call('ZADD', holders, now + lease, item)
            wakeHead()
            return {1, 0, 0}
          end
          redis.call('ZADD', leases, 'XX', now + lease, item)
          local retry = 0
          if pos == 0 then
            local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
            if first[2] then retry = tonumber(first[2]) - now + 1 end
          elseif pos == 1 then
            local expiry = redis.call('ZSCORE', leases, redis.call('LINDEX', waiting, 0))
            if expiry then retry = tonumber(expiry) - now + 1 end
          end
          return {0, pos + 1, math.max(retry, 0)}
        end

        """

    /// ARGV: queue, item, lease ms, maxConcurrent, wake channel.
    /// Extra results: {-2, limit in use, 0} limit mismatch; {-3, 0, 0} the
    /// item is already in this queue.
    static let enqueue = RedisScript(prelude + """
        if prune() then wakeHead() end
        tidy()
        local item, lease, max = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        local current = redis.call('GET', limitKey)
        if current and tonumber(current) ~= max then return {-2, tonumber(current), 0} end
        if redis.call('LPOS', waiting, item) or redis.call('ZSCORE', holders, item) then return {-3, 0, 0} end
        redis.call('SET', limitKey, max)
        redis.call('RPUSH', waiting, item)
        redis.call('ZADD', leases, now + lease, item)
        redis.call('HSET', wake, item, ARGV[5])
        return try(item, lease)
        """)

    /// ARGV: queue, item, lease ms. Also the waiter's heartbeat (it renews
    /// the waiter's lease).
    static let tryAcquire = RedisScript(prelude + """
        if prune() then wakeHead() end
        return try(ARGV[2], tonumber(ARGV[3]))
        """)

    /// ARGV: queue, item. Returns 1 if the item was waiting.
    static let leave = RedisScript(prelude + """
        prune()
        local item = ARGV[2]
        local removed = redis.call('LREM', waiting, 1, item)
        redis.call('ZREM', leases, item)
        redis.call('HDEL', wake, item)
        wakeHead()
        tidy()
        return removed
        """)

    /// ARGV: queue, item. Returns 1 if the item held a slot.
    static let release = RedisScript(prelude + """
        prune()
        local removed = redis.call('ZREM', holders, ARGV[2])
        wakeHead()
        tidy()
        return removed
        """)

    /// ARGV: queue, item, lease ms. The holder's heartbeat: 1 while it holds
    /// the slot, 0 once its lease was lost.
    static let touch = RedisScript(prelude + """
        if prune() then wakeHead() end
        if not redis.call('ZSCORE', holders, ARGV[2]) then return 0 end
        redis.call('ZADD', holders, now + tonumber(ARGV[3]), ARGV[2])
        return 1
        """)

    /// ARGV: queue, item. The 1-based place, or 0 when not waiting.
    static let position = RedisScript(prelude + """
        local pos = redis.call('LPOS', waiting, ARGV[2])
        if pos then return pos + 1 end
        return 0
        """)
}
