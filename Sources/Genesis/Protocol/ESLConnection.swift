import CGenesis
import DequeModule
import Synchronization

/// The protocol engine of one ESL connection, shared by inbound clients and
/// outbound sessions: it writes commands, matches replies to them in FIFO
/// order, routes BACKGROUND_JOB results to their `bgapi` callers, queues
/// events with backpressure, and enforces every deadline.
///
/// Frames arrive on the engine's loop thread (`transportDidReceive`);
/// commands are sent from any task. One mutex guards the reply queue and the
/// jobs; the event queue has its own, so a slow event consumer never delays a
/// reply.
package final class ESLConnection: TransportDelegate {
    package struct Configuration: Sendable {
        /// Deadline of every command unless the call gives its own.
        package var commandTimeout: Duration = .seconds(30)
        /// Events queued before the socket stops being read.
        package var eventBufferCapacity: Int = 4_096
        /// The `type` label of this connection's metrics.
        package var kind: ConnectionKind = .inbound
        /// An event-metrics cache shared with other connections. It takes no
        /// lock, so only connections served by one engine loop thread may
        /// share it (an outbound server's sessions). Nil: one of its own.
        package var eventMetrics: EventMetricsRecorder?
        package init() {}
    }

    private struct State {
        var pending = Deque<PendingReply>()
        /// The transport commands are written to, read under this lock
        /// with the reply queue it must stay in step with (``transportSlot``
        /// serves the event buffer, which runs without this lock).
        var transport: TransportConnection?
        /// The metric series of the verb sent last: a connection mostly
        /// sends one verb (`api`), found here without hashing it.
        var lastVerbSeries: (verb: String, series: CommandMetrics.VerbSeries)?
        var jobs: [String: BackgroundJob] = [:]
        var isOpen = true
        var closeReason: ESLError?
        /// When the deadline timer fires next (0: no timer armed).
        var armedDeadline: UInt64 = 0
        var disconnectNotice: String?
        /// `exit` was written: the close that follows is the one asked for.
        var exitRequested = false
        /// FreeSWITCH's `auth/request` came before anyone waited for it (the
        /// loop thread can outrun the task that connected, on a loaded host).
        var greetingArrived = false
        var subscription = SubscriptionState()
        /// Counted in `genesis_connections_active` (so it is uncounted once).
        var established = false
        /// Takes the events on the loop thread instead of `events` (see
        /// ``ESLConnection/deliverEvents(to:)``); told once when the
        /// connection ends, and let go then: a receiver that sends on this
        /// connection (a session's registry) holds it in a cycle until then.
        var eventReceiver: (any ESLEventReceiver)?
    }

    package let configuration: Configuration
    private let state = Lock(State())
    /// Ids of commands, for cancellation to find its entry in the reply
    /// queue; taken without the state lock, which every command and every
    /// read already contend for.
    private let nextCommandID = Atomic<UInt64>(1)
    package let events: ESLEventStream
    private let eventBuffer: EventBuffer
    private let transportSlot = TransportSlot()
    private let engine: Engine
    private let commandMetrics: CommandMetrics
    /// `configuration.commandTimeout` converted once: taking a `Duration`
    /// apart (128-bit arithmetic) showed in every command's cost.
    private let defaultTimeoutNanoseconds: UInt64
    private let defaultTimeoutSeconds: Double
    private let eventMetrics: EventMetricsRecorder

    /// Told once when the connection ends, instead of ending the event
    /// stream: `failure` is what the stream would have ended with (nil after
    /// a close that was asked for, or an `exit`).
    package typealias CloseHandler = @Sendable (_ failure: ESLError?, _ asked: Bool) -> Void
    private let closeHandler: CloseHandler?

    package init(engine: Engine, configuration: Configuration) {
        self.engine = engine
        self.configuration = configuration
        defaultTimeoutNanoseconds = MonotonicClock.nanoseconds(configuration.commandTimeout)
        defaultTimeoutSeconds = MonotonicClock.seconds(configuration.commandTimeout)
        commandMetrics = CommandMetrics(kind: configuration.kind)
        eventMetrics = configuration.eventMetrics ?? EventMetricsRecorder()
        let transportSlot = self.transportSlot
        eventBuffer = EventBuffer(capacity: configuration.eventBufferCapacity) {
            transportSlot.transport?.resumeReading()
        }
        events = ESLEventStream(buffer: eventBuffer)
        closeHandler = nil
    }

    /// A connection that delivers into an event buffer owned by someone else
    /// (a reconnecting client, whose one stream outlives each connection),
    /// and reports its end to `onClose` instead of finishing that buffer.
    init(
        engine: Engine, configuration: Configuration, eventBuffer: EventBuffer,
        subscription: SubscriptionState, onClose: @escaping CloseHandler
    ) {
        self.engine = engine
        self.configuration = configuration
        defaultTimeoutNanoseconds = MonotonicClock.nanoseconds(configuration.commandTimeout)
        defaultTimeoutSeconds = MonotonicClock.seconds(configuration.commandTimeout)
        commandMetrics = CommandMetrics(kind: configuration.kind)
        eventMetrics = configuration.eventMetrics ?? EventMetricsRecorder()
        self.eventBuffer = eventBuffer
        events = ESLEventStream(buffer: eventBuffer)
        closeHandler = onClose
        state.withLock { $0.subscription = subscription }
    }

    /// What FreeSWITCH was asked to send on this connection (see ``SubscriptionState``).
    var subscription: SubscriptionState { state.withLock { $0.subscription } }

    /// Attaches the transport; must happen before any command is sent.
    package func attach(_ transport: TransportConnection) {
        transportSlot.set(transport)
        state.withLock { $0.transport = transport }
    }

    package var transport: TransportConnection? { transportSlot.transport }

    /// Hands every event to `receiver` on the loop thread, as it arrives,
    /// instead of queuing it for ``events`` (which then stays empty), and
    /// tells it when the connection ends. Call it before ``attach(_:)``, so
    /// that no event has been queued yet.
    package func deliverEvents(to receiver: any ESLEventReceiver) {
        state.withLock { $0.eventReceiver = receiver }
    }

    package var isOpen: Bool { state.withLock { $0.isOpen } }

    /// The connection is usable (authenticated, or accepted): it counts in
    /// `genesis_connections_active` until it closes.
    package func markEstablished() {
        let counted = state.withLock { state -> Bool in
            guard state.isOpen, !state.established else { return false }
            state.established = true
            return true
        }
        if counted { GenesisMetrics.connectionsActive.series(configuration.kind.rawValue).increment() }
    }

    /// Body of the `text/disconnect-notice` FreeSWITCH sent, if any.
    package var disconnectNotice: String? { state.withLock { $0.disconnectNotice } }

    /// Events that wait in the buffer now.
    package var bufferedEvents: Int { eventBuffer.count }

    /// How many times a full event buffer stopped the socket being read.
    package var readPauses: UInt64 { eventBuffer.pauseCount }

    // MARK: Commands

    /// Waits for FreeSWITCH's `auth/request`.
    package func awaitGreeting(timeout: Duration) async throws {
        var metrics: CommandMetrics.VerbSeries?
        _ = try await enqueue(
            command: nil, verb: "connect", metrics: &metrics, expectation: .greeting,
            started: MonotonicClock.nanoseconds(), timeoutNanoseconds: MonotonicClock.nanoseconds(timeout),
            timeoutSeconds: MonotonicClock.seconds(timeout))
    }

    /// Writes a command and waits for its reply.
    ///
    /// Runs on its caller's executor (`nonisolated(nonsending)`): a hop to
    /// the generic executor and back at every call would cost a
    /// task-status lock each (the cancellation handler below makes that
    /// check slow), for a function that only takes locks and waits.
    package nonisolated(nonsending) func send(_ command: ESLCommand, timeout: Duration? = nil) async throws -> ESLReply {
        let verb = command.verbName
        // One clock read before and one after: the deadline counts from the
        // same instant as the round trip.
        let started = MonotonicClock.nanoseconds()
        var metrics: CommandMetrics.VerbSeries?
        let timeoutNanoseconds = timeout.map(MonotonicClock.nanoseconds) ?? defaultTimeoutNanoseconds
        let timeoutSeconds = timeout.map(MonotonicClock.seconds) ?? defaultTimeoutSeconds
        let reply: ESLReply?
        do {
            if GenesisTracing.isTracing {
                reply = try await GenesisTracing.withSpan(.sendCommand, attributes: ["command.name": verb]) { _ in
                    try await enqueue(
                        command: command, verb: verb, metrics: &metrics, expectation: .reply,
                        started: started, timeoutNanoseconds: timeoutNanoseconds, timeoutSeconds: timeoutSeconds)
                }
            } else {
                reply = try await enqueue(
                    command: command, verb: verb, metrics: &metrics, expectation: .reply,
                    started: started, timeoutNanoseconds: timeoutNanoseconds, timeoutSeconds: timeoutSeconds)
            }
        } catch {
            commandMetrics.failed(verb: verb, error: error)
            throw error
        }
        guard let reply else {
            throw ESLError.protocolViolation(reason: "no reply frame")
        }
        commandMetrics.answered(
            metrics ?? commandMetrics.series(verb: verb), verb: verb, reply: reply,
            nanoseconds: MonotonicClock.nanoseconds() &- started)
        if reply.isSuccess, Self.changesSubscription(verb) {
            state.withLock { $0.subscription.apply(acceptedLine: command.line) }
        }
        return reply
    }

    /// Commands whose success changes what FreeSWITCH sends this connection.
    /// A switch, not a set: hashing the verb showed in every command's cost.
    private static func changesSubscription(_ verb: String) -> Bool {
        // Their first letters, checked first: comparing two different short
        // strings still takes the slow comparison path.
        switch verb.utf8.first {
        case UInt8(ascii: "e"), UInt8(ascii: "n"), UInt8(ascii: "m"), UInt8(ascii: "f"), UInt8(ascii: "l"): break
        default: return false
        }
        return switch verb {
        case "event", "nixevent", "noevents", "myevents", "filter", "log", "nolog": true
        default: false
        }
    }

    /// Runs `bgapi` with a Job-UUID chosen here, registered before the command
    /// is written, and waits for the BACKGROUND_JOB event that carries its result.
    package func backgroundJob(_ command: String, timeout: Duration? = nil) async throws -> ESLEvent {
        let subscription = state.withLock { $0.subscription }
        if !subscription.deliversBackgroundJobs {
            let reply = try await send(ESLCommand(line: "event \(subscription.format) BACKGROUND_JOB"), timeout: timeout)
            guard reply.isSuccess else { throw ESLError.commandFailed(replyText: reply.failureText) }
        }
        let jobUUID = UUIDGenerator.next()
        let bgapi = try ESLCommand(line: "bgapi \(command)", headers: [ESLHeader("Job-UUID", jobUUID)])
        let timeout = timeout ?? configuration.commandTimeout
        let deadline = MonotonicClock.nanoseconds() &+ MonotonicClock.nanoseconds(timeout)
        let verb = "bgapi " + (command.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "")
        state.withLock {
            $0.jobs[jobUUID] = BackgroundJob(
                command: verb, deadline: deadline, timeoutSeconds: MonotonicClock.seconds(timeout))
        }
        let reply: ESLReply
        do {
            reply = try await send(bgapi, timeout: timeout)
        } catch {
            _ = state.withLock { $0.jobs.removeValue(forKey: jobUUID) }
            throw error
        }
        guard reply.isSuccess else {
            _ = state.withLock { $0.jobs.removeValue(forKey: jobUUID) }
            throw ESLError.commandFailed(replyText: reply.failureText)
        }
        return try await withTaskCancellationHandler {
            let event = try await withCheckedThrowingContinuation { continuation in
                let outcome: Result<ESLEvent, any Error>? = state.withLock { state in
                    guard var job = state.jobs[jobUUID] else {
                        return .failure(state.closeReason ?? ESLError.connectionClosed(pendingCommands: 0))
                    }
                    if let result = job.result {
                        state.jobs[jobUUID] = nil
                        return .success(result)
                    }
                    if Task.isCancelled {
                        state.jobs[jobUUID] = nil
                        return .failure(CancellationError())
                    }
                    job.continuation = continuation
                    state.jobs[jobUUID] = job
                    armTimer(&state, for: job.deadline)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
            state.observeHandOff()
            return event
        } onCancel: {
            let continuation = state.withLock { $0.jobs.removeValue(forKey: jobUUID)?.continuation }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Closes the connection: queued writes are flushed unless `abort`.
    package func close(abort: Bool = false) {
        transport?.close(abort: abort)
    }

    /// Writes `command` (nil: nothing, the greeting is awaited) and queues
    /// its place in the reply FIFO, both under the state lock, so that the
    /// order of the queue is the order of the bytes on the wire. Inlined
    /// into its callers: one async frame fewer to allocate per command.
    @inline(__always)
    private nonisolated(nonsending) func enqueue(
        command: ESLCommand?, verb: String, metrics: inout CommandMetrics.VerbSeries?,
        expectation: PendingReply.Expectation, started: UInt64, timeoutNanoseconds: UInt64, timeoutSeconds: Double
    ) async throws -> ESLReply? {
        let deadline = started &+ timeoutNanoseconds
        let id = nextCommandID.wrappingAdd(1, ordering: .relaxed).oldValue
        return try await withTaskCancellationHandler {
            // Unsafe, not checked: every path below takes the continuation
            // out of the state under the lock before resuming it (the reply,
            // a deadline, a cancellation, the close), so it is resumed
            // exactly once; the checked kind costs an allocation per command.
            let reply = try await withUnsafeThrowingContinuation { continuation in
                var written: TransportConnection?
                let failure: (any Error)? = state.withLock { state in
                    if expectation == .greeting, state.greetingArrived {
                        return GreetingAlreadyArrived()
                    }
                    guard state.isOpen else {
                        // Nothing was written: the caller knows it did not run.
                        if command == nil { return state.closeReason ?? ESLError.connectionClosed(pendingCommands: 0) }
                        return ESLError.connectionLost(command: verb, mayHaveRun: false)
                    }
                    if Task.isCancelled {
                        return CancellationError()
                    }
                    if let command {
                        guard let transport = state.transport else {
                            return ESLError.connectionLost(command: verb, mayHaveRun: false)
                        }
                        do {
                            // Behind commands still unanswered, this one
                            // joins the loop's next write: sent from here,
                            // each of a pipelined burst would cost a syscall
                            // and a wake-up of the peer. Alone, it goes out at
                            // once from this thread.
                            try transport.write(command, batched: !state.pending.isEmpty)
                            written = transport
                        } catch ESLError.connectionClosed {
                            // The engine refused the write: the socket is
                            // closing, and these bytes never left.
                            return ESLError.connectionLost(command: verb, mayHaveRun: false)
                        } catch {
                            return error
                        }
                        if verb.utf8.count == 4, verb == "exit" { state.exitRequested = true }
                        let series = verbSeries(&state, verb)
                        commandMetrics.written(series)
                        metrics = series
                    }
                    state.pending.append(PendingReply(
                        id: id, expectation: expectation, verb: verb, deadline: deadline,
                        timeoutSeconds: timeoutSeconds, continuation: continuation))
                    armTimer(&state, for: deadline)
                    return nil
                }
                // Tasks on the loop thread (the I/O executor) resumed by one
                // read all write before the loop's batched flush, which
                // would leave the server idle until the last of them ran:
                // a write as soon as a few commands wait lets it work
                // while the rest are resumed (with 100 in flight, about
                // twice the round trips per second at the same CPU).
                // Elsewhere this does nothing.
                if failure == nil, let written {
                    written.flushQueued(atLeast: Self.earlyFlushBytes)
                }
                if failure is GreetingAlreadyArrived {
                    continuation.resume(returning: nil)
                } else if let failure {
                    continuation.resume(throwing: failure)
                }
            }
            state.observeHandOff()
            return reply
        } onCancel: {
            let continuation = state.withLock { state -> UnsafeContinuation<ESLReply?, any Error>? in
                guard let index = state.pending.firstIndex(where: { $0.id == id }) else { return nil }
                defer { state.pending[index].continuation = nil }
                return state.pending[index].continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// The series of `verb`, from the one-entry cache when it was the last
    /// verb sent.
    private func verbSeries(_ state: inout State, _ verb: String) -> CommandMetrics.VerbSeries {
        if let last = state.lastVerbSeries, last.verb == verb { return last.series }
        let series = commandMetrics.series(verb: verb)
        state.lastVerbSeries = (verb, series)
        return series
    }

    /// Queued bytes that a command written on the loop thread sends at
    /// once (about 40 `api` commands): measured against 128 to 1024, the
    /// round-trip rate peaked from 384 to 512.
    private static let earlyFlushBytes: UInt64 = 512

    /// Marks the greeting that came early (see `State.greetingArrived`).
    private struct GreetingAlreadyArrived: Error {}

    // MARK: Deadlines

    /// Arms the connection's one deadline timer if `deadline` comes before
    /// the armed one. A timer that fires early or late only re-scans, so a
    /// stale timer is harmless and never needs cancelling.
    private func armTimer(_ state: inout State, for deadline: UInt64) {
        guard state.armedDeadline == 0 || deadline < state.armedDeadline else { return }
        state.armedDeadline = deadline
        let now = MonotonicClock.nanoseconds()
        let delayMilliseconds = deadline > now ? (deadline - now + 999_999) / 1_000_000 : 0
        let context = Unmanaged.passRetained(self).toOpaque()
        let id = gen_engine_set_timer(engine.raw, delayMilliseconds, { context in
            guard let context else { return }
            Unmanaged<ESLConnection>.fromOpaque(context).takeRetainedValue().expireDeadlines()
        }, context)
        if id < 0 {
            Unmanaged<ESLConnection>.fromOpaque(context).release()
        }
    }

    private func expireDeadlines() {
        let now = MonotonicClock.nanoseconds()
        var expired: [(UnsafeContinuation<ESLReply?, any Error>, ESLError)] = []
        var expiredJobs: [(CheckedContinuation<ESLEvent, any Error>, ESLError)] = []
        var closeForGreeting = false
        state.withLock { state in
            state.armedDeadline = 0
            var next: UInt64 = 0
            for index in state.pending.indices {
                let pending = state.pending[index]
                guard let continuation = pending.continuation else { continue }
                if pending.deadline <= now {
                    state.pending[index].continuation = nil
                    expired.append((continuation, .timeout(operation: pending.verb, seconds: pending.timeoutSeconds)))
                    if pending.expectation == .greeting {
                        closeForGreeting = true
                    } else {
                        commandMetrics.timedOut(verb: pending.verb, seconds: pending.timeoutSeconds)
                    }
                } else if next == 0 || pending.deadline < next {
                    next = pending.deadline
                }
            }
            for (uuid, job) in state.jobs where job.continuation != nil || job.result == nil {
                if job.deadline <= now {
                    if let continuation = job.continuation {
                        expiredJobs.append((continuation, .timeout(operation: job.command, seconds: job.timeoutSeconds)))
                        GenesisMetrics.recordTimeout(type: "command", operation: job.command, seconds: job.timeoutSeconds)
                    }
                    state.jobs[uuid] = nil
                } else if next == 0 || job.deadline < next {
                    next = job.deadline
                }
            }
            if next != 0 { armTimer(&state, for: next) }
        }
        for (continuation, error) in expired { continuation.resume(throwing: error) }
        for (continuation, error) in expiredJobs { continuation.resume(throwing: error) }
        if closeForGreeting { close(abort: true) }
    }

    // MARK: TransportDelegate (loop thread)

    package func transportDidConnect(status: Int32) {
        guard status < 0 else { return }
        fail(with: .connectionFailed(reason: String(cString: gen_strerror(status))), connecting: true)
    }

    package func transportDidReceive(_ frames: UnsafeBufferPointer<gen_frame>, in slab: Slab) -> Bool {
        var batch: [ESLEvent] = []
        var replies: [(UnsafeContinuation<ESLReply?, any Error>, ESLReply)] = []
        var repliesConsumed = 0
        var results: [(CheckedContinuation<ESLEvent, any Error>, ESLEvent)] = []
        // Sized for the whole read at its first event: grown one doubling at a
        // time, the batch copied its events over again several times a read.
        func keep(_ event: ESLEvent) {
            if batch.capacity == 0 { batch.reserveCapacity(frames.count) }
            batch.append(event)
        }
        eventMetrics.record(frames, in: slab)
        let receiver = state.withLock { state -> (any ESLEventReceiver)? in
            // Fields are read through the pointer: a copy of the whole
            // 140-byte gen_frame per event showed as a memmove of its own.
            for index in frames.indices {
                let frame = frames.baseAddress! + index
                let kind = gen_frame_kind(rawValue: UInt32(frame.pointee.kind))
                switch kind {
                case GEN_FRAME_COMMAND_REPLY, GEN_FRAME_API_RESPONSE, GEN_FRAME_AUTH_REQUEST:
                    let expected: PendingReply.Expectation = kind == GEN_FRAME_AUTH_REQUEST ? .greeting : .reply
                    guard state.pending.first?.expectation == expected else {
                        if expected == .greeting { state.greetingArrived = true }
                        // A reply nobody asked for: FreeSWITCH never sends one,
                        // so it can only be a peer that is not FreeSWITCH.
                        continue
                    }
                    let head = state.pending.removeFirst()
                    if expected == .reply { repliesConsumed += 1 }
                    if let continuation = head.continuation {
                        replies.append((continuation, ESLReply(FrameView(slab: slab, frame: frame.pointee))))
                    }
                case GEN_FRAME_EVENT_PLAIN, GEN_FRAME_EVENT_JSON, GEN_FRAME_EVENT_XML:
                    let event = ESLEvent(slab: slab, frame: frame)
                    if !state.jobs.isEmpty, let uuid = event.jobUUID, var job = state.jobs[uuid],
                       event.name == "BACKGROUND_JOB" {
                        if let continuation = job.continuation {
                            state.jobs[uuid] = nil
                            results.append((continuation, event))
                        } else {
                            job.result = event
                            state.jobs[uuid] = job
                        }
                    } else {
                        keep(event)
                    }
                case GEN_FRAME_DISCONNECT_NOTICE:
                    let view = FrameView(slab: slab, frame: frame.pointee)
                    if view.outerHeader("Content-Disposition") == "linger" {
                        keep(ESLEvent(slab: slab, frame: frame))
                    } else {
                        state.disconnectNotice = view.bodyString
                    }
                case GEN_FRAME_RUDE_REJECTION:
                    state.disconnectNotice = FrameView(slab: slab, frame: frame.pointee).bodyString
                default:
                    keep(ESLEvent(slab: slab, frame: frame))
                }
            }
            // One update of the shared gauge per read, not one per reply.
            commandMetrics.repliesConsumed(repliesConsumed)
            return state.eventReceiver
        }
        for (continuation, reply) in replies { continuation.resume(returning: reply) }
        for (continuation, event) in results { continuation.resume(returning: event) }
        guard let receiver else { return eventBuffer.append(batch) }
        // Applied now, so never queued: reading never needs to pause.
        if !batch.isEmpty { receiver.receive(batch) }
        return false
    }

    package func transportDidClose(reason: Int32) {
        let error: ESLError? = switch reason {
        case 0: nil
        case Int32(GEN_EEOF), Int32(GEN_ESTOPPED): .connectionClosed(pendingCommands: 0)
        default: .protocolViolation(reason: String(cString: gen_strerror(reason)))
        }
        fail(with: error, connecting: false)
        state.withLock { $0.transport = nil }
        transportSlot.set(nil)
    }

    /// Ends the connection's state: every waiting command and job fails with
    /// a typed error, and the event stream ends (or the event receiver is told).
    private func fail(with error: ESLError?, connecting: Bool) {
        var waiting: [(UnsafeContinuation<ESLReply?, any Error>, ESLError)] = []
        var jobs: [(CheckedContinuation<ESLEvent, any Error>, String)] = []
        var receiver: (any ESLEventReceiver)?
        let (pendingCount, exitRequested) = state.withLock { state -> (Int, Bool) in
            let count = state.pending.filter { $0.expectation == .reply }.count
            commandMetrics.repliesAbandoned(count)
            let closeError = error ?? .connectionClosed(pendingCommands: count)
            if state.isOpen {
                state.isOpen = false
                state.closeReason = closeError
                if state.established {
                    GenesisMetrics.connectionsActive.series(configuration.kind.rawValue).decrement()
                }
            }
            for pending in state.pending {
                guard let continuation = pending.continuation else { continue }
                let failure: ESLError = switch pending.expectation {
                case .greeting: connecting ? closeError : .connectionClosed(pendingCommands: 0)
                case .reply: .connectionLost(command: pending.verb, mayHaveRun: true)
                }
                waiting.append((continuation, failure))
            }
            state.pending.removeAll()
            for (_, job) in state.jobs {
                if let continuation = job.continuation { jobs.append((continuation, job.command)) }
            }
            state.jobs.removeAll()
            // Taken out, so it hears the end once.
            receiver = state.eventReceiver
            state.eventReceiver = nil
            return (count, state.exitRequested)
        }
        for (continuation, failure) in waiting { continuation.resume(throwing: failure) }
        // A job waits only after FreeSWITCH accepted its bgapi: it may have run.
        for (continuation, command) in jobs {
            continuation.resume(throwing: ESLError.connectionLost(command: command, mayHaveRun: true))
        }
        if !connecting || error != nil {
            // The stream ends quietly after a local close or an `exit`; any
            // other end is an error the consumer must see.
            let streamFailure: ESLError? = switch error {
            case nil: nil
            case .connectionClosed? where exitRequested: nil
            case .connectionClosed?: .connectionClosed(pendingCommands: pendingCount)
            case let other?: other
            }
            if let closeHandler {
                closeHandler(streamFailure, error == nil || exitRequested)
            } else {
                receiver?.connectionEnded()
                eventBuffer.finish(failure: streamFailure)
            }
        }
    }
}
