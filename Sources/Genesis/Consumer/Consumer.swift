import Logging
import ServiceLifecycle
import Synchronization

/// Event handlers on an inbound connection: by event name, by CUSTOM
/// subclass, or for every event, each with optional header conditions.
///
/// The server-side subscription is derived from the handlers: `event plain`
/// with exactly the names and subclasses handled (plus HEARTBEAT), or `ALL`
/// once a catch-all exists; a handler added while running subscribes its
/// event at once. Event types are exact, so no `filter` is needed, and none
/// is sent: filters are allow-lists that would silently starve a catch-all.
///
/// Events of one call (same Unique-ID) reach handlers in order; different
/// calls are handled in parallel. A handler that throws is logged and
/// counted (``handlerFailures``); the consumer carries on.
///
/// With reconnection on (``InboundConfiguration/reconnect``), a dropped
/// connection does not end ``run()``: the client reconnects and replays the
/// subscription, handlers keep running, and a handler added during the
/// outage is subscribed once the connection is back. Events FreeSWITCH sent
/// during the outage are lost.
///
/// ```swift
/// let consumer = Consumer(configuration: .init(inbound: .init(host: "10.0.0.5", password: "secret")))
/// consumer.on("CHANNEL_ANSWER") { event in print("answered", event.uniqueID ?? "") }
/// try consumer.on(subclass: "sofia::register", where: [.matches("status", "Registered")]) { event in
///     print("registered", event["from-user"] ?? "")
/// }
/// try await ServiceGroup(services: [consumer], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
public final class Consumer: Service, Sendable {
    public typealias Handler = @Sendable (ESLEvent) async throws -> Void

    private enum Key: Sendable, Hashable {
        case name(String)
        case subclass(String)
        case all
    }

    private struct Registration: Sendable {
        let key: Key
        let conditions: [HeaderCondition]
        let handler: Handler
    }

    /// What the server was asked to send.
    private struct Subscription {
        var all = false
        var names: Set<String> = []
        var subclasses: Set<String> = []
    }

    private struct State {
        var registrations: [Registration] = []
        var applied = Subscription()
        var client: InboundClient?
        var lastHeartbeat: ContinuousClock.Instant?
        /// The latest synchronization; each one runs after the previous, so
        /// one that finds nothing left to send still returns only once the
        /// commands sent before it were answered.
        var synchronization: Task<Void, any Error>?
    }

    public let configuration: ConsumerConfiguration
    private let state = Lock(State())
    private let failures = Atomic<UInt64>(0)
    private let handled = Atomic<UInt64>(0)
    private let logger: Logger

    public init(configuration: ConsumerConfiguration = ConsumerConfiguration()) {
        self.configuration = configuration
        logger = configuration.inbound.logger
    }

    // MARK: Handlers

    /// Handles events named `eventName` (`CHANNEL_ANSWER`, `DTMF`, …).
    public func on(_ eventName: String, where conditions: [HeaderCondition] = [], _ handler: @escaping Handler) {
        register(Registration(key: eventName == "ALL" ? .all : .name(eventName), conditions: conditions, handler: handler))
    }

    /// Handles CUSTOM events of `subclass` (`sofia::register`).
    public func on(subclass: String, where conditions: [HeaderCondition] = [], _ handler: @escaping Handler) {
        register(Registration(key: .subclass(subclass), conditions: conditions, handler: handler))
    }

    /// Handles every event (subscribes to `ALL`).
    public func onAll(where conditions: [HeaderCondition] = [], _ handler: @escaping Handler) {
        register(Registration(key: .all, conditions: conditions, handler: handler))
    }

    private func register(_ registration: Registration) {
        let running = state.withLock { state -> Bool in
            state.registrations.append(registration)
            return state.client != nil
        }
        guard running else { return }
        Task {
            do {
                try await synchronizeSubscription()
            } catch {
                logger.error("subscribing for a new handler failed", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: State

    /// Handlers that threw, since start.
    public var handlerFailures: UInt64 { failures.load(ordering: .relaxed) }

    /// Handler calls made, since start.
    public var handlerCalls: UInt64 { handled.load(ordering: .relaxed) }

    /// When the last HEARTBEAT arrived.
    public var lastHeartbeat: ContinuousClock.Instant? { state.withLock { $0.lastHeartbeat } }

    /// Whether a HEARTBEAT arrived within `window` (FreeSWITCH sends one every
    /// 20 s by default): the `/health` rule for a consumer.
    public func isHealthy(within window: Duration = .seconds(30)) -> Bool {
        guard let last = lastHeartbeat else { return false }
        return ContinuousClock.now - last <= window
    }

    /// The connection while running.
    public var client: InboundClient? { state.withLock { $0.client } }

    /// Sends the `event` commands the handlers need and the server was not
    /// asked for yet. Runs by itself at start and after each new handler;
    /// await it to know a handler added while running is subscribed.
    public func synchronizeSubscription() async throws {
        let task = state.withLock { state -> Task<Void, any Error> in
            let previous = state.synchronization
            let task = Task {
                _ = await previous?.result
                try await self.applySubscription()
            }
            state.synchronization = task
            return task
        }
        try await task.value
    }

    private func applySubscription() async throws {
        let (client, subscribeAll, names, subclasses) = state.withLock { state -> (InboundClient?, Bool, [String], [String]) in
            guard let client = state.client else { return (nil, false, [], []) }
            var wanted = Subscription()
            wanted.names.insert("HEARTBEAT")
            for registration in state.registrations {
                switch registration.key {
                case .all: wanted.all = true
                case .name(let name): wanted.names.insert(name)
                case .subclass(let subclass): wanted.subclasses.insert(subclass)
                }
            }
            if state.applied.all { return (client, false, [], []) }
            if wanted.all {
                state.applied.all = true
                return (client, true, [], [])
            }
            let names = wanted.names.subtracting(state.applied.names).sorted()
            let subclasses = wanted.subclasses.subtracting(state.applied.subclasses).sorted()
            state.applied.names.formUnion(names)
            state.applied.subclasses.formUnion(subclasses)
            return (client, false, names, subclasses)
        }
        guard let client else { return }
        do {
            if subscribeAll {
                try await client.subscribe(["ALL"])
            } else if !names.isEmpty || !subclasses.isEmpty {
                try await client.subscribe(names, subclasses: subclasses)
            }
        } catch {
            // Forget what was not applied, so the next synchronization retries it.
            state.withLock { state in
                if subscribeAll { state.applied.all = false }
                state.applied.names.subtract(names)
                state.applied.subclasses.subtract(subclasses)
            }
            throw error
        }
    }

    // MARK: Running

    /// Connects, subscribes and dispatches until graceful shutdown (then it
    /// returns after the queued events were handled) or until the connection
    /// is lost (then it throws the connection's error).
    public func run() async throws {
        let client = try await InboundClient.connect(configuration.inbound)
        state.withLock {
            $0.client = client
            $0.applied = Subscription()
        }
        defer { state.withLock { $0.client = nil } }
        try await synchronizeSubscription()
        let resubscriber: Task<Void, Never>? = client.configuration.reconnect.isEnabled ? Task {
            var wasDown = false
            for await state in client.stateChanges() {
                switch state {
                case .connected where wasDown:
                    wasDown = false
                    // The client replayed what was applied; this sends what
                    // handlers added during the outage still need.
                    do { try await self.synchronizeSubscription() } catch {
                        logger.error("subscribing after reconnect failed", metadata: ["error": "\(error)"])
                    }
                case .disconnected, .reconnecting: wasDown = true
                default: break
                }
            }
        } : nil
        defer { resubscriber?.cancel() }
        let lanes = (0..<configuration.lanes).map { _ in EventLane(capacity: configuration.laneCapacity) }
        let failure: (any Error)? = await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group -> (any Error)? in
                for lane in lanes {
                    group.addTask { await self.work(lane) }
                }
                var failure: (any Error)?
                do {
                    for try await event in client.events {
                        if event.name == "HEARTBEAT" { heartbeat(event) }
                        await lanes[laneIndex(event, count: lanes.count)].push(event)
                    }
                } catch {
                    failure = error
                }
                for lane in lanes { lane.finish() }
                await group.waitForAll()
                return failure
            }
        } onGracefulShutdown: {
            client.close()
        }
        if let failure, !(failure is CancellationError) { throw failure }
    }

    /// Calls the matching handlers of each event of one lane, in order.
    private func work(_ lane: EventLane) async {
        while let event = await lane.next() {
            let registrations = state.withLock { $0.registrations }
            let name = event.name
            let subclass = event.subclass
            for registration in registrations {
                switch registration.key {
                case .all: break
                case .name(let wanted): guard name == wanted else { continue }
                case .subclass(let wanted): guard name == "CUSTOM", subclass == wanted else { continue }
                }
                guard registration.conditions.allSatisfy({ $0.holds(for: event) }) else { continue }
                handled.add(1, ordering: .relaxed)
                do {
                    try await registration.handler(event)
                } catch {
                    failures.add(1, ordering: .relaxed)
                    logger.error("event handler failed", metadata: [
                        "event": "\(name ?? "?")", "error": "\(error)",
                    ])
                }
            }
        }
    }

    private func heartbeat(_ event: ESLEvent) {
        state.withLock { $0.lastHeartbeat = .now }
        configuration.onHeartbeat?(event)
    }

    /// Same call, same lane: the key is the Unique-ID; events without one
    /// (HEARTBEAT, registrations) keep their order per subclass or name.
    private func laneIndex(_ event: ESLEvent, count: Int) -> Int {
        guard count > 1 else { return 0 }
        let key = event.uniqueID ?? event.subclass ?? event.name ?? ""
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in key.utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        return Int(hash % UInt64(count))
    }
}
