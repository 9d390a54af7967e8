import Genesis
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real redis-server (the Debian package), started by the test on a free
/// loopback port with no persistence, and stopped by `stop()`. `restart()`
/// kills it and starts a new one on the same port: everything it held is
/// gone, as after a crash.
final class RedisServerFixture: Sendable {
    let port: UInt16
    private let pid: Lock<pid_t>

    private init(port: UInt16, pid: pid_t) {
        self.port = port
        self.pid = Lock(pid)
    }

    static func start() async throws -> RedisServerFixture {
        for _ in 0..<5 {
            let port = try freePort()
            if let pid = try await spawn(port: port) { return RedisServerFixture(port: port, pid: pid) }
        }
        throw FixtureError.redisDidNotStart
    }

    /// Starts redis-server on `port` and waits until it accepts
    /// connections; nil if it exited first (the port was taken meanwhile).
    private static func spawn(port: UInt16) async throws -> pid_t? {
        let arguments = [
            "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
        ]
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        guard posix_spawnp(&pid, "redis-server", &actions, nil, &argv, environ) == 0 else {
            throw FixtureError.redisDidNotStart
        }
        for _ in 0..<300 {
            if canConnect(port) { return pid }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
        reap(pid)
        return nil
    }

    var configuration: RedisConfiguration { RedisConfiguration(host: "127.0.0.1", port: port) }

    func client() async throws -> RedisClient {
        try await RedisClient.connect(configuration)
    }

    /// SIGKILL and reap: nothing of the server is kept, so nothing to flush.
    /// Stopping a stopped server does nothing (its pid may be reused).
    func stop() {
        let running = pid.withLock { pid in
            defer { pid = 0 }
            return pid
        }
        if running > 0 { Self.reap(running) }
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing is
    /// answered, as with a hung host. `resume()` thaws it.
    func pause() { kill(pid.withLock { $0 }, SIGSTOP) }

    func resume() { kill(pid.withLock { $0 }, SIGCONT) }

    /// Starts a fresh server on the same port after `stop()` (retrying while
    /// the old socket is released).
    func restart() async throws {
        for _ in 0..<50 {
            if let fresh = try await Self.spawn(port: port) {
                pid.withLock { $0 = fresh }
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError.redisDidNotStart
    }

    private static func reap(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    enum FixtureError: Error { case redisDidNotStart, noFreePort }

    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard ok else { throw FixtureError.noFreePort }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func canConnect(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Runs `body` with a fresh redis-server, stopped afterwards even if `body` throws.
func withRedisServer<R>(_ body: (RedisServerFixture) async throws -> R) async throws -> R {
    let server = try await RedisServerFixture.start()
    do {
        let result = try await body(server)
        server.stop()
        return result
    } catch {
        server.stop()
        throw error
    }
}

/// Starts a command that Redis holds (`BLPOP` on an empty list, 30 s) and
/// returns once `observer` sees it blocked: a command surely in flight. The
/// task ends with the command's error, or nil if it was answered.
func blockedCommand(on client: RedisClient, watchedBy observer: RedisClient) async throws -> Task<RedisError?, Never> {
    let blocked = Task { () -> RedisError? in
        do throws(RedisError) {
            try await client.command("BLPOP", "nothing", "30")
            return nil
        } catch {
            return error
        }
    }
    let seen = await eventually {
        (try? await observer.command("INFO", "clients").string)?.contains("blocked_clients:1") == true
    }
    guard seen else {
        blocked.cancel()
        throw DeadlineExceeded(limit: .seconds(5))
    }
    return blocked
}

/// Polls `condition` until it holds or `timeout` passes (test helper only).
func eventually(
    timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}

/// A value behind a lock that escaping test closures can share (a `Mutex`
/// itself cannot be captured by them: it is not copyable).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Lock<Value>
    init(_ value: Value) { mutex = Lock(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
