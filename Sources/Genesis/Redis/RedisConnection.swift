import CGenesis
import Synchronization

/// One `gen_redis` connection: its readiness, its commands, and (for a
/// subscriber connection) its pushes. `RedisClient` holds two of them.
final class RedisConnection: Sendable {
    /// What a subscriber connection delivers, in arrival order.
    enum Push: Sendable {
        case subscribed(channel: String)
        case unsubscribed(channel: String)
        case message(channel: String, payload: [UInt8])
        case closed(RedisError)
    }

    private struct State {
        var readyWaiters: [RedisWaiter<Void>] = []
        var readyResult: Result<Void, RedisError>?
        var closedReason: RedisError?
    }

    // Set once in open() before any callback can run, never changed after;
    // gen_redis_* calls are thread-safe, so sharing the pointer is sound.
    private nonisolated(unsafe) var raw: OpaquePointer?
    private let state = Lock(State())
    private let onPush: (@Sendable (Push) -> Void)?
    private let commandTimeout: Duration

    private init(onPush: (@Sendable (Push) -> Void)?, commandTimeout: Duration) {
        self.onPush = onPush
        self.commandTimeout = commandTimeout
    }

    deinit {
        if let raw {
            gen_redis_close(raw)
            gen_redis_release(raw)
        }
    }

    /// Opens a connection and waits until it is ready (connected, `AUTH`
    /// and `SELECT` done), for at most `configuration.connectTimeout`.
    static func open(
        _ configuration: RedisConfiguration, engine: Engine, onPush: (@Sendable (Push) -> Void)? = nil
    ) async throws(RedisError) -> RedisConnection {
        let connection = RedisConnection(onPush: onPush, commandTimeout: configuration.commandTimeout)
        var config = gen_redis_config()
        gen_redis_config_init(&config)
        config.port = configuration.port
        config.db = configuration.database
        // The loop's reference, given back in on_close (always the last callback).
        config.ctx = Unmanaged.passRetained(connection).toOpaque()
        config.on_ready = { ctx, status in
            RedisConnection.from(ctx).ready(status: status)
        }
        config.on_close = { ctx, reason in
            let connection = Unmanaged<RedisConnection>.fromOpaque(ctx!).takeRetainedValue()
            connection.closed(reason: reason)
        }
        if onPush != nil {
            config.on_push = { ctx, kind, channel, channelLength, payload, payloadLength in
                let connection = RedisConnection.from(ctx)
                let name = String(decoding: UnsafeRawBufferPointer(start: channel, count: channelLength), as: UTF8.self)
                switch UInt32(kind) {
                case GEN_REDIS_PUSH_SUBSCRIBED.rawValue: connection.onPush?(.subscribed(channel: name))
                case GEN_REDIS_PUSH_UNSUBSCRIBED.rawValue: connection.onPush?(.unsubscribed(channel: name))
                default:
                    let bytes = payloadLength > 0
                        ? Array(UnsafeRawBufferPointer(start: payload, count: payloadLength)) : []
                    connection.onPush?(.message(channel: name, payload: bytes))
                }
            }
        }
        var handle: OpaquePointer?
        let status = configuration.host.withCString { host in
            config.host = host
            return withOptionalCString(configuration.password) { password in
                config.password = password
                return gen_redis_open(engine.raw, &config, &handle)
            }
        }
        guard status == 0, let handle else {
            Unmanaged<RedisConnection>.fromOpaque(config.ctx).release()
            throw RedisError(code: status)
        }
        connection.raw = handle
        let ready = await RedisWaiter<Void>.wait(timeout: configuration.connectTimeout, operation: "connect") {
            waiter in
            let settled: Result<Void, RedisError>? = connection.state.withLock { state in
                if let result = state.readyResult { return result }
                state.readyWaiters.append(waiter)
                return nil
            }
            if let settled { waiter.resume(settled) }
        }
        if case .failure = ready { connection.close() }
        try ready.get()
        return connection
    }

    private static func from(_ ctx: UnsafeMutableRawPointer?) -> RedisConnection {
        Unmanaged<RedisConnection>.fromOpaque(ctx!).takeUnretainedValue()
    }

    private func ready(status: Int32) {
        let result: Result<Void, RedisError> = status == 0 ? .success(()) : .failure(RedisError(code: status))
        let waiters = state.withLock { state in
            state.readyResult = result
            defer { state.readyWaiters = [] }
            return state.readyWaiters
        }
        for waiter in waiters { waiter.resume(result) }
    }

    private func closed(reason: Int32) {
        let error = reason == 0 ? RedisError.connectionClosed : RedisError(code: reason)
        state.withLock { $0.closedReason = error }
        onPush?(.closed(error))
    }

    /// Why the connection ended, or nil while it is open.
    var closedReason: RedisError? { state.withLock { $0.closedReason } }

    /// Sends one command (each argument binary-safe) and returns its reply,
    /// or `RedisError.timeout` after the configuration's `commandTimeout`.
    func command(_ arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        guard let raw, !arguments.isEmpty else { throw RedisError.unexpectedReply("empty command") }
        // One contiguous copy of all arguments (plus a byte so the buffer is
        // never empty); gen_redis_command copies again before returning.
        var flat: [UInt8] = []
        flat.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            flat.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        flat.append(0)
        let verb = String(decoding: arguments[0], as: UTF8.self)
        let result = await RedisWaiter<RedisValue>.wait(timeout: commandTimeout, operation: verb) { waiter in
            let box = Unmanaged.passRetained(waiter).toOpaque()
            let status = flat.withUnsafeBufferPointer { bytes -> Int32 in
                let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
                var offset = 0
                var pointers: [UnsafePointer<CChar>?] = []
                pointers.reserveCapacity(lengths.count)
                for length in lengths {
                    pointers.append(base + offset)
                    offset += length
                }
                return gen_redis_command(raw, lengths.count, pointers, lengths, { arg, status, reply in
                    let waiter = Unmanaged<RedisWaiter<RedisValue>>.fromOpaque(arg!).takeRetainedValue()
                    if let reply, status == 0 {
                        waiter.resume(RedisValue.read(reply))
                    } else {
                        waiter.resume(.failure(RedisError(code: status)))
                    }
                }, box)
            }
            if status != 0 {
                Unmanaged<RedisWaiter<RedisValue>>.fromOpaque(box).release()
                waiter.resume(.failure(RedisError(code: status)))
            }
        }
        if case .failure(.connectionLost(let reason)) = result {
            // hiredis fails the commands in flight before it reports the
            // disconnect: marked now, the caller's next command opens a new
            // connection instead of going to this dying one.
            state.withLock { if $0.closedReason == nil { $0.closedReason = .connectionLost(reason: reason) } }
        }
        return try result.get()
    }

    func subscribe(_ channel: String) throws(RedisError) {
        try post(channel, gen_redis_subscribe)
    }

    func unsubscribe(_ channel: String) throws(RedisError) {
        try post(channel, gen_redis_unsubscribe)
    }

    private func post(
        _ channel: String, _ call: (OpaquePointer?, UnsafePointer<CChar>?, Int) -> Int32
    ) throws(RedisError) {
        let bytes = Array(channel.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { call(raw, $0.baseAddress, $0.count) }
        }
        if status != 0 { throw RedisError(code: status) }
    }

    /// Drops the connection: commands in flight fail with `connectionClosed`.
    func close() {
        if let raw { gen_redis_close(raw) }
    }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
