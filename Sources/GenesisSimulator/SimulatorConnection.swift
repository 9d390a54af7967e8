import Genesis
import Synchronization

/// One accepted inbound client: FreeSWITCH's per-connection "listener"
/// (MES:listener_run / parse_command), without any I/O of its own.
///
/// The socket glue creates one per accepted socket, calls ``start()``, feeds
/// every complete command frame to ``receive(command:body:)`` in order, and
/// calls ``linkClosed()`` when the socket goes away. Everything the client
/// should see is written to the ``SimulatorLink`` in wire order.
///
/// Thread safety: state lives behind a `Mutex`, and frames are handed to the
/// link while it is held, which is what keeps replies and events from
/// different threads in one consistent order. Work that may publish events
/// (API commands, `sendevent`) runs outside the lock, so a connection can
/// receive the events its own commands cause.
public final class SimulatorConnection: Sendable, SimulatorEventSubscriber {
    /// Unique per switch; the handle for ``SimulatorSwitch/injectFault(_:connectionID:)``.
    public let id: Int
    public let simulator: SimulatorSwitch
    private let link: any SimulatorLink
    private let state = Lock(ConnectionState())
    /// Set for an outbound socket: the channel this connection controls.
    public let session: OutboundSessionBinding?

    public init(simulator: SimulatorSwitch, link: any SimulatorLink) {
        self.simulator = simulator
        self.link = link
        self.id = simulator.makeConnectionID()
        self.session = nil
    }

    /// An outbound socket's connection: pre-authenticated and silent until
    /// the application sends `connect`.
    public init(simulator: SimulatorSwitch, link: any SimulatorLink, session: OutboundSessionBinding) {
        self.simulator = simulator
        self.link = link
        self.id = simulator.makeConnectionID()
        self.session = session
    }

    // MARK: Socket glue

    /// Registers with the switch, sends `auth/request` and arms the 25-second
    /// deadline for the first command.
    public func start() {
        simulator.bus.add(self, id: id)
        if session != nil {
            state.withLock { $0.phase = .authenticated }
            return
        }
        let timer = scheduleOnSelf(after: simulator.configuration.authTimeout) { $0.authDeadlinePassed() }
        state.withLock { state in
            state.authTimer = timer
            state.emit(ReplyFrame.authRequest, to: link)
        }
    }

    /// Handles one complete command: `command` is its header block (first
    /// line the command, further lines headers), `body` its Content-Length
    /// body if it had one.
    public func receive(command: String, body: [UInt8]?) {
        var command = command
        let handled = command.withUTF8 { receiveAPICommandLine(UnsafeRawBufferPointer($0)) }
        if handled { return }
        receive(block: CommandBlock(text: command, body: body))
    }

    /// ``receive(command:body:)`` for a command still in the socket's read
    /// buffer: an `api` one-liner is handled from the bytes, anything else
    /// is copied out first.
    func receive(commandBytes: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer?) {
        if receiveAPICommandLine(commandBytes) { return }
        receive(block: CommandBlock(text: String(decoding: commandBytes, as: UTF8.self), body: body.map(Array.init)))
    }

    private func receive(block: CommandBlock) {
        let work = state.withLock { state -> DeferredWork in
            guard state.phase != .closed else { return .none }
            state.authTimer?.cancel()
            state.authTimer = nil
            // FreeSWITCH reads the next command only when `api` has answered.
            if state.apiRunning {
                state.backlog.append(block)
                return .none
            }
            return handleAndRoute(block, &state)
        }
        perform(work)
    }

    /// Handles commands that arrived together (one socket read), in order.
    ///
    /// FreeSWITCH writes queued events only while no further command is
    /// buffered, so events raised meanwhile wait until the last command of
    /// the batch has been handled, and an `exit` among them discards those
    /// events (ESL.md 1.10 item 8). Feeding commands one by one through
    /// ``receive(command:body:)`` delivers events between them instead.
    public func receive(batch: [(command: String, body: [UInt8]?)]) {
        beginBatch()
        for frame in batch {
            receive(command: frame.command, body: frame.body)
        }
        endBatch()
    }

    /// Starts a batch (see ``receive(batch:)``) whose commands follow one by one.
    func beginBatch() {
        state.withLock { $0.holdEvents += 1 }
    }

    /// Ends a batch: the events it raised go out now.
    func endBatch() {
        let closing = state.withLock { state in
            state.holdEvents -= 1
            return state.release(to: link)
        }
        if closing { closeLink() }
    }

    /// The socket is gone (peer closed or write failed): forget the
    /// connection without writing anything.
    public func linkClosed() {
        let timer = state.withLock { state in
            defer { state.markClosed() }
            return state.authTimer
        }
        timer?.cancel()
        simulator.bus.remove(id: id)
        releaseSession()
    }

    /// Whether the connection has been closed by either side.
    public var isClosed: Bool {
        state.withLock { $0.phase == .closed }
    }

    // MARK: Events

    func deliver(_ event: SimulatorEvent, frames: RenderedEventFrames) {
        state.withLock { state in
            guard state.wants(event) else { return }
            state.emit(frames.frame(state.subscription.format), isEvent: true, to: link)
        }
    }

    func deliverLog(_ line: SimulatorLogLine, frame: [UInt8]) {
        state.withLock { state in
            guard state.phase == .authenticated, let level = state.logLevel, line.level <= level else { return }
            state.emit(frame, isEvent: true, to: link)
        }
    }

    func mightWant(type: String) -> Bool {
        state.withLock { state in
            state.phase != .closed && state.subscription.enabled
                && (state.subscription.all || state.subscription.types.contains(type))
        }
    }

    /// The frame this connection would receive for `event` right now, or nil
    /// if its subscription or filters would drop it.
    public func frameIfDelivered(_ event: SimulatorEvent) -> [UInt8]? {
        state.withLock { state in
            state.wants(event) ? EventRenderer.frame(event, format: state.subscription.format) : nil
        }
    }

    /// Writes `frame` `count` times through the link's bulk path. Everything
    /// else is held back until the link reports the burst written, so a link
    /// that writes in batches never gets other frames between them.
    public func writeRepeated(_ frame: [UInt8], count: Int) {
        let open = state.withLock { state in
            guard state.phase != .closed else { return false }
            state.holdAll += 1
            return true
        }
        guard open else { return }
        // A strong capture: the link calls this once, so the reference lives
        // only as long as the burst (a weak one would give the connection a
        // side table, see scheduleOnSelf).
        link.writeRepeated(frame, count: count) { [self] in
            let closing = self.state.withLock { state in
                state.holdAll -= 1
                return state.release(to: self.link)
            }
            if closing { self.closeLink() }
        }
    }

    // MARK: Faults

    func inject(_ fault: SimulatorFault) {
        let closing = state.withLock { state -> Bool in
            guard state.phase != .closed else { return false }
            switch fault {
            case .garbage(let bytes):
                link.write(bytes)
            case .disconnectMidFrame:
                link.write(Array("Content-Type: api/response\nContent-Length: 64\n\n+OK par".utf8))
                state.markClosed()
                return true
            case .stall:
                guard !state.stalled else { break }
                state.stalled = true
                state.holdAll += 1
            case .resume:
                guard state.stalled else { break }
                state.stalled = false
                state.holdAll -= 1
                return state.release(to: link)
            }
            return false
        }
        if closing { closeLink() }
    }

    /// Module shutdown: the shutdown notice, then close.
    func shutDown() {
        let closing = state.withLock { state -> Bool in
            guard state.phase != .closed else { return false }
            state.emit(ReplyFrame.disconnectNotice(ReplyFrame.shutdownText), to: link)
            state.finishWriting(to: link)
            return true
        }
        if closing { closeLink() }
    }

    private func authDeadlinePassed() {
        let closing = state.withLock { state -> Bool in
            guard state.phase == .awaitingAuth, state.authTimer != nil else { return false }
            state.emit(ReplyFrame.disconnectNotice(), to: link)
            state.finishWriting(to: link)
            return true
        }
        if closing { closeLink() }
    }

    /// Closes the socket and leaves the switch; called once output stopped.
    private func closeLink() {
        link.close()
        simulator.bus.remove(id: id)
        releaseSession()
    }

    /// Tells the engine the controlled channel is free again (once).
    private func releaseSession() {
        guard let session else { return }
        let (resume, timer) = state.withLock { state in
            defer { state.lingerTimer = nil }
            return (state.resume, state.lingerTimer)
        }
        timer?.cancel()
        simulator.calls.controllerClosed(session.uuid, resume: resume)
    }

    // MARK: Outbound session

    /// Whether DTMF of the controlled channel comes only here (`divert_events on`).
    var divertsEvents: Bool {
        state.withLock { $0.divertEvents && $0.phase != .closed }
    }

    /// A diverted event: bypasses subscriptions and filters, but events must
    /// be enabled (ESL.md 3.6).
    func deliverDiverted(_ event: SimulatorEvent) {
        state.withLock { state in
            guard state.phase == .authenticated, state.subscription.enabled else { return }
            state.emit(EventRenderer.frame(event, format: state.subscription.format), isEvent: true, to: link)
        }
    }

    /// CHANNEL_HANGUP_COMPLETE is out. FreeSWITCH's listener notices the
    /// channel is down only after writing what it had queued: the reply of
    /// the `sendmsg hangup` that ended the call, then the hangup's events
    /// (through CHANNEL_HANGUP_COMPLETE, as a real FreeSWITCH 1.10.12 sent
    /// them). Then, without linger, the goodbye and the close; with linger,
    /// the linger notice, and the close after the linger time (never for
    /// `linger` without seconds).
    func controlledChannelReported() {
        guard let session else { return }
        let channelName = simulator.calls.channelName(session.uuid)
        let (closing, lingerSeconds) = state.withLock { state -> (Bool, Int?) in
            guard state.phase != .closed else { return (false, nil) }
            guard let seconds = state.lingerSeconds else {
                state.emit(ReplyFrame.sessionNotice(uuid: session.uuid, linger: nil), isEvent: true, to: link)
                // A reply still held (the `sendmsg` being answered) goes first.
                guard state.holdAll == 0, state.holdEvents == 0 else {
                    state.closeWhenReleased = true
                    return (false, nil)
                }
                state.finishWriting(to: link)
                return (true, nil)
            }
            state.emit(ReplyFrame.sessionNotice(uuid: session.uuid, linger: (channelName, seconds)),
                       isEvent: true, to: link)
            return (false, seconds)
        }
        if closing { closeLink() }
        guard let seconds = lingerSeconds, seconds >= 0 else { return }
        let timer = scheduleOnSelf(after: .seconds(seconds)) { $0.lingerEnded() }
        state.withLock { $0.lingerTimer = timer }
    }

    /// A timer whose action finds this connection through the switch's bus
    /// by id, so it does nothing once the connection has left (as a weak
    /// capture would). A weak reference would give the connection a side
    /// table, and every retain and release of it, several per command, would
    /// then take the runtime's slow path.
    private func scheduleOnSelf(after delay: Duration,
                                _ action: @escaping @Sendable (SimulatorConnection) -> Void) -> any SimulatorTimer {
        let bus = simulator.bus
        let id = id
        return simulator.clock.schedule(after: delay) {
            guard let connection = bus.subscriber(id: id) as? SimulatorConnection else { return }
            action(connection)
        }
    }

    private func lingerEnded() {
        guard let session else { return }
        let closing = state.withLock { state -> Bool in
            guard state.phase != .closed else { return false }
            state.emit(ReplyFrame.sessionNotice(uuid: session.uuid, linger: nil), to: link)
            state.finishWriting(to: link)
            return true
        }
        if closing { closeLink() }
    }

    // MARK: Commands

    /// Work a command leaves for after the lock is released.
    private enum DeferredWork {
        case none
        case closed
        case api(name: String, arguments: String)
        case backgroundJob(name: String, arguments: String, jobUUID: String)
        case fire(SimulatorEvent, origin: EventOrigin)
        case sendmsg(uuid: String, block: CommandBlock)
        case connect(OutboundSessionBinding)
    }

    /// MES:parse_command's keyword dispatch: case-insensitive prefixes in
    /// FreeSWITCH's order; anything unmatched is `-ERR command not found`.
    /// ``handle(_:_:)``, then tells the bus when the command changed which
    /// events can reach this connection (still under the state lock, so no
    /// event is routed by stale routes after the reply).
    private func handleAndRoute(_ block: CommandBlock, _ state: inout ConnectionState) -> DeferredWork {
        let work = handle(block, &state)
        announceRoutes(&state)
        announceListening(&state)
        return work
    }

    /// Tells the bus whether events are enabled here, if that changed. The
    /// commands that enable events call it before they reply (see
    /// ``EventBus/listen(id:_:)``); every command calls it after.
    private func announceListening(_ state: inout ConnectionState) {
        let listening = state.subscription.enabled
        guard listening != state.announcedListening else { return }
        state.announcedListening = listening
        simulator.bus.listen(id: id, listening)
    }

    /// Tells the bus the connection's routes if what they derive from changed.
    private func announceRoutes(_ state: inout ConnectionState) {
        let source = (filters: state.filters.revision, channelUUID: state.subscription.channelUUID)
        guard source != state.announcedSource else { return }
        state.announcedSource = source
        let routes = state.routes
        if routes != state.announcedRoutes {
            state.announcedRoutes = routes
            simulator.bus.route(id: id, through: routes)
        }
    }

    /// The whole of receiving an `api` one-liner on an authenticated inbound
    /// connection, without building a ``CommandBlock`` or walking the keyword
    /// list: what `receive(block:)`, `handleAndRoute` and `handleCommand`
    /// do for it, in the same order. False (nothing done) when `bytes` is
    /// not such a command or the connection is in any other situation (not
    /// authenticated, closed, an outbound session, an `api` still running).
    private func receiveAPICommandLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard session == nil, let command = APICommandLine(bytes) else { return false }
        let accepted = state.withLock { state -> Bool in
            // (No auth timer to cancel: the command that authenticated did.)
            guard state.phase == .authenticated, !state.apiRunning else { return false }
            state.apiRunning = true
            state.holdEvents += 1
            announceRoutes(&state)
            announceListening(&state)
            return true
        }
        guard accepted else { return false }
        run(simulator.startAPI(name: command.name, trimmedName: command.trimmedName,
                               trimmedArguments: command.trimmedArguments, connection: self))
        return true
    }

    /// Runs an `api` command; its response goes out when it answers (before
    /// this returns for an immediate command). Events raised while it runs
    /// (its API event included) are held until the response is out, as on a
    /// real connection.
    private func run(_ call: APICall) {
        simulator.run(call) { [self] body, result in apiAnswered(body, result) }
    }

    /// The running `api` command answered: the response, then the events
    /// held meanwhile, then the commands that waited for it.
    private func apiAnswered(_ body: String, _ result: APIResult?) {
        let (backlogWaits, closing) = state.withLock { state in
            state.respond(apiBody: body, to: link)
            state.holdEvents -= 1
            state.apiRunning = false
            let closing = state.release(to: link)
            return (!state.backlog.isEmpty, closing)
        }
        if closing {
            closeLink()
            return
        }
        result?.afterResponse?()
        if backlogWaits { runBacklog() }
    }

    private func handle(_ block: CommandBlock, _ state: inout ConnectionState) -> DeferredWork {
        let line = block.line
        if line.hasCaseInsensitivePrefix("exit") || line.hasPrefix("...") {
            state.reply("+OK bye", to: link)
            state.emit(session.map { ReplyFrame.sessionNotice(uuid: $0.uuid, linger: nil) }
                ?? ReplyFrame.disconnectNotice(), to: link)
            state.finishWriting(to: link)
            return .closed
        }
        if state.phase == .awaitingAuth {
            return authenticate(block, &state)
        }
        if let session {
            // Only `connect` answers before the session is connected; the
            // rest still runs (ESL.md 3.2).
            if !state.sessionConnected && !line.hasCaseInsensitivePrefix("connect") {
                state.discardReplies = true
                defer { state.discardReplies = false }
                return handleSession(block, session, &state)
            }
            return handleSession(block, session, &state)
        }
        return handleCommand(block, &state)
    }

    /// The session-bound commands of an outbound socket, and the
    /// single-channel restriction (ESL.md 2.4, 3.4).
    private func handleSession(_ block: CommandBlock, _ session: OutboundSessionBinding,
                               _ state: inout ConnectionState) -> DeferredWork {
        let line = block.line
        if line.hasCaseInsensitivePrefix("connect") {
            state.sessionConnected = true
            return .connect(session)
        } else if line.hasCaseInsensitivePrefix("getvar") {
            let name = String(block.argument(afterKeywordLength: 6))
            let value = simulator.calls.variableOfLiveChannel(session.uuid, name) ?? ""
            state.reply(value.isEmpty ? "-ERR command not found" : value, to: link)
        } else if line.hasCaseInsensitivePrefix("myevents") {
            if state.subscription.channelEventsOnly {
                state.reply("-ERR aready enabled.", to: link)
            } else {
                let words = line.split(separator: " ")
                if words.count > 1, let format = ESLEventFormat.allCases.first(where: {
                    String(words[1]).caseInsensitiveEquals($0.rawValue)
                }) {
                    state.subscription.format = format
                }
                state.subscription.subscribeMyEvents(uuid: session.uuid)
                announceListening(&state)
                state.reply("+OK Events Enabled", to: link)
            }
        } else if line.hasCaseInsensitivePrefix("divert_events") {
            let value = block.argument(afterKeywordLength: 13)
            guard !value.isEmpty else {
                state.reply("-ERR missing value.", to: link)
                return .none
            }
            state.divertEvents = String(value).hasCaseInsensitivePrefix("on")
            state.reply(state.divertEvents ? "+OK events diverted" : "+OK events not diverted", to: link)
        } else if line.hasCaseInsensitivePrefix("resume") {
            state.resume = true
            state.reply("+OK", to: link)
        } else if line.hasCaseInsensitivePrefix("sendmsg") {
            let target = block.argument(afterKeywordLength: 7).split(separator: " ").first.map(String.init)
                ?? block.header("Session-ID") ?? session.uuid
            state.holdEvents += 1
            return .sendmsg(uuid: target, block: block)
        } else if line.hasCaseInsensitivePrefix("filter ") {
            state.reply(filter(block.argument(afterKeywordLength: 7), &state.filters), to: link)
        } else if !session.fullControl {
            state.reply("-ERR command not found", to: link)
        } else if line.hasCaseInsensitivePrefix("nolinger") {
            state.lingerSeconds = nil
            state.reply("+OK will not linger", to: link)
        } else if line.hasCaseInsensitivePrefix("linger") {
            let seconds = Int(block.argument(afterKeywordLength: 6).prefix { $0 != " " })
            state.lingerSeconds = seconds ?? -1
            state.reply(seconds.map { "+OK will linger \($0) seconds" } ?? "+OK will linger", to: link)
        } else {
            return handleCommand(block, &state)
        }
        return .none
    }

    /// The commands inbound and full outbound connections share.
    private func handleCommand(_ block: CommandBlock, _ state: inout ConnectionState) -> DeferredWork {
        let line = block.line
        if line.hasCaseInsensitivePrefix("filter ") {
            state.reply(filter(block.argument(afterKeywordLength: 7), &state.filters), to: link)
        } else if line.hasCaseInsensitivePrefix("myevents") {
            let text = myevents(line, &state.subscription)
            announceListening(&state)
            state.reply(text, to: link)
        } else if line.hasCaseInsensitivePrefix("divert_events") {
            state.reply("-ERR not controlling a session.", to: link)
        } else if line.hasCaseInsensitivePrefix("sendmsg") {
            let target = block.argument(afterKeywordLength: 7).split(separator: " ").first.map(String.init)
                ?? block.header("Session-ID") ?? ""
            state.holdEvents += 1
            return .sendmsg(uuid: target, block: block)
        } else if line.hasCaseInsensitivePrefix("sendevent") {
            let event = Self.eventFromSendevent(block)
            state.reply("+OK \(event.header("Event-UUID") ?? "")", to: link)
            return .fire(event, origin: .sendEvent)
        } else if line.hasCaseInsensitivePrefix("api ") {
            let (name, arguments) = Self.splitAPICommand(line.dropFirst(4))
            state.apiRunning = true
            state.holdEvents += 1
            return .api(name: name, arguments: arguments)
        } else if line.hasCaseInsensitivePrefix("bgapi ") {
            let (name, arguments) = Self.splitAPICommand(line.dropFirst(6))
            let jobUUID = block.header("Job-UUID").map { String(decoding: $0.utf8.prefix(255), as: UTF8.self) }
                ?? UUIDFactory.make()
            state.emit(ReplyFrame.commandReply("+OK Job-UUID: \(jobUUID)", extraHeaders: [("Job-UUID", jobUUID)]), to: link)
            return .backgroundJob(name: name, arguments: arguments, jobUUID: jobUUID)
        } else if line.hasCaseInsensitivePrefix("log") {
            state.reply(log(block.argument(afterKeywordLength: 3), &state), to: link)
        } else if line.hasCaseInsensitivePrefix("linger") || line.hasCaseInsensitivePrefix("nolinger") {
            state.reply("-ERR not controlling a session", to: link)
        } else if line.hasCaseInsensitivePrefix("nolog") {
            state.reply(state.logLevel == nil ? "-ERR not loging" : "+OK no longer logging", to: link)
            state.logLevel = nil
            simulator.bus.log(id: id, false)
        } else if line.hasCaseInsensitivePrefix("event") {
            let enabled = state.subscription.subscribe(Self.tokensAfterKeyword(line))
            announceListening(&state)
            state.reply(enabled ? "+OK event listener enabled \(state.subscription.format.rawValue)"
                                : "-ERR no keywords supplied", to: link)
        } else if line.hasCaseInsensitivePrefix("nixevent") {
            let nixed = state.subscription.unsubscribe(Self.tokensAfterKeyword(line))
            announceListening(&state)  // nixevent enables events too
            state.reply(nixed ? "+OK events nixed" : "-ERR no keywords supplied", to: link)
        } else if line.hasCaseInsensitivePrefix("noevents") {
            if state.subscription.enabled {
                state.subscription.clear()
                state.pending.removeAll { $0.isEvent }
                state.reply("+OK no longer listening for events", to: link)
            } else {
                state.reply("-ERR not listening for events", to: link)
            }
        } else {
            state.reply("-ERR command not found", to: link)
        }
        return .none
    }

    /// The one command allowed before authentication (besides `exit`).
    private func authenticate(_ block: CommandBlock, _ state: inout ConnectionState) -> DeferredWork {
        let line = block.line
        let accepted: Bool
        var extraHeaders: [(String, String)] = []
        if line.hasCaseInsensitivePrefix("auth ") {
            accepted = String(line.dropFirst(5)) == simulator.configuration.password
        } else if line.hasCaseInsensitivePrefix("userauth ") {
            accepted = userauth(String(line.dropFirst(9)))
            extraHeaders = [("Allowed-Events", "all"), ("Allowed-API", "all"), ("Allowed-LOG", "true")]
        } else {
            state.reply("-ERR command not found", to: link)
            return .none
        }
        if accepted {
            state.phase = .authenticated
            state.emit(ReplyFrame.commandReply("+OK accepted", extraHeaders: extraHeaders), to: link)
            return .none
        }
        state.reply("-ERR invalid", to: link)
        state.emit(ReplyFrame.disconnectNotice(), to: link)
        state.finishWriting(to: link)
        return .closed
    }

    /// `userauth user@domain:password` (or `user:password@domain`) against
    /// the configured directory; an empty password never matches.
    private func userauth(_ text: String) -> Bool {
        guard let at = text.firstIndex(of: "@") else { return false }
        var user = String(text[..<at])
        var domain = String(text[text.index(after: at)...])
        var password = ""
        if let colon = domain.firstIndex(of: ":") {
            password = String(domain[domain.index(after: colon)...])
            domain = String(domain[..<colon])
        } else if let colon = user.firstIndex(of: ":") {
            password = String(user[user.index(after: colon)...])
            user = String(user[..<colon])
        }
        guard !user.isEmpty, !domain.isEmpty, !password.isEmpty else { return false }
        return simulator.configuration.users["\(user)@\(domain)"] == password
    }

    private func perform(_ work: DeferredWork) {
        switch work {
        case .none:
            break
        case .closed:
            closeLink()
        case .api(let name, let arguments):
            run(simulator.startAPI(name: name, arguments: arguments, connection: self))
        case .backgroundJob(let name, let arguments, let jobUUID):
            simulator.executeAPI(name: name, arguments: arguments, connection: self) { [simulator, self] body, result in
                var job = simulator.makeEvent(type: "BACKGROUND_JOB", origin: .backgroundJob)
                job.append("Job-UUID", jobUUID)
                if let owner = self.session?.uuid { job.append("Job-Owner-UUID", owner) }
                job.append("Job-Command", name)
                if !arguments.isEmpty { job.append("Job-Command-Arg", arguments) }
                job.body = Array(body.utf8)
                simulator.publish(job)
                result?.afterResponse?()
            }
        case .fire(var event, let origin):
            simulator.appendCoreHeaders(to: &event, origin: origin)
            simulator.publish(event)
        case .sendmsg(let uuid, let block):
            // The reply goes out before the events the message causes, which
            // are held meanwhile.
            var headers = [(name: "Command", value: block.line)]
            headers += block.headers.map { (name: $0.name, value: $0.value) }
            let accepted = simulator.calls.sendMessage(to: uuid, headers: headers, body: block.body)
            let closing = state.withLock { state in
                state.reply(accepted ? "+OK" : "-ERR invalid session id [\(uuid)]", to: link)
                state.holdEvents -= 1
                return state.release(to: link)
            }
            if closing { closeLink() }
        case .connect(let session):
            let frame = simulator.calls.connectReply(session)
            state.withLock { state in
                if let frame { state.emit(frame, to: link) }
            }
            simulator.calls.outboundSocketConnected(session)
        }
    }

    /// Handles the commands that arrived while `api` was running, until one
    /// of them is an `api` again (which resumes this when it answers).
    private func runBacklog() {
        while true {
            let work = state.withLock { state -> DeferredWork? in
                guard state.phase != .closed, !state.apiRunning, !state.backlog.isEmpty else { return nil }
                return handleAndRoute(state.backlog.removeFirst(), &state)
            }
            guard let work else { return }
            perform(work)
        }
    }

    // MARK: Command details

    /// `filter …` (MES:parse_command): add, `add`, `delete <header> [value]`,
    /// `delete all`; the reply echoes what was parsed.
    private func filter(_ text: Substring, _ filters: inout EventFilterList) -> String {
        guard let space = text.firstIndex(of: " ") else { return "-ERR invalid syntax" }
        var name = String(text[..<space])
        var value: String? = String(text[text.index(after: space)...])
        if name.caseInsensitiveEquals("delete") {
            let rest = value ?? ""
            if let space = rest.firstIndex(of: " ") {
                name = String(rest[..<space])
                value = String(rest[rest.index(after: space)...])
            } else {
                name = rest
                value = nil
            }
            if name.caseInsensitiveEquals("all") {
                filters.deleteAll()
            } else {
                filters.delete(header: name, value: value)
            }
            return "+OK filter deleted. [\(name)][\(value ?? "")]"
        }
        if name.caseInsensitiveEquals("add") {
            let rest = value ?? ""
            guard let space = rest.firstIndex(of: " ") else { return "-ERR invalid syntax" }
            name = String(rest[..<space])
            value = String(rest[rest.index(after: space)...])
        }
        filters.add(header: name, value: value ?? "")
        return "+OK filter added. [\(name)]=[\(value ?? "")]"
    }

    /// Inbound `myevents <uuid> [format]` (ESL.md 2.5). With no channels
    /// every UUID is unknown: with a format word that is `-ERR invalid uuid`;
    /// without one FreeSWITCH still enables the fixed type list, for every
    /// channel. A bare `myevents` needs a bound session, which inbound
    /// connections lack.
    private func myevents(_ line: String, _ subscription: inout EventSubscription) -> String {
        let words = line.split(separator: " ")
        guard words.count > 1 else { return "-ERR command not found" }
        if subscription.channelEventsOnly { return "-ERR aready enabled." }
        let uuid = String(words[1])
        if simulator.calls.channelExists(uuid) {
            if words.count > 2, let format = ESLEventFormat.allCases.first(where: {
                String(words[2]).caseInsensitiveEquals($0.rawValue)
            }) {
                subscription.format = format
            }
            subscription.subscribeMyEvents(uuid: uuid)
            return "+OK Events Enabled"
        }
        if words.count > 2 { return "-ERR invalid uuid" }
        subscription.subscribeMyEvents()
        return "+OK Events Enabled"
    }

    /// `log [level]`: a name (`err`, not `error`) or 0–7; none means debug.
    /// The simulator produces no log lines; it only keeps the level.
    private func log(_ text: Substring, _ state: inout ConnectionState) -> String {
        let levelText = String(text.prefix { $0 != " " })
        let names = ["console", "alert", "crit", "err", "warning", "notice", "info", "debug"]
        let level: Int?
        if levelText.isEmpty {
            level = 7
        } else if let number = Int(levelText), (0...7).contains(number) {
            level = number
        } else {
            level = names.firstIndex { $0.caseInsensitiveEquals(levelText) }
        }
        guard let level else { return "-ERR invalid log level" }
        state.logLevel = level
        simulator.bus.log(id: id, true)
        return "+OK log level \(levelText) [\(level)]"
    }

    /// `sendevent <NAME>` (MES:parse_command, ESL.md 2.9): `Command` (first
    /// line only) and the client's headers in order, `Event-Subclass` moved
    /// to the top for CUSTOM, an unknown name becoming a subclass-less
    /// CUSTOM, then a fresh `Event-UUID`. Core headers follow when fired.
    static func eventFromSendevent(_ block: CommandBlock) -> SimulatorEvent {
        let requested = block.argument(afterKeywordLength: 9).prefix { $0 != " " }
        let known = EventTypeName.canonical(String(requested)).flatMap { $0 == EventTypeName.allKeyword ? nil : $0 }
        var event = SimulatorEvent(type: known ?? "CUSTOM")
        event.append("Command", block.line)
        for header in block.headers {
            event.append(header.name, header.value)
        }
        if known == "CUSTOM", let subclass = event.header("Event-Subclass") {
            event.headers.removeAll { $0.name.caseInsensitiveEquals("Event-Subclass") }
            event.headers.insert(SimulatorEventHeader("Event-Subclass", subclass), at: 0)
            event.subclass = subclass
        }
        event.append("Event-UUID", UUIDFactory.make())
        event.body = block.body
        return event
    }

    /// `api`/`bgapi` text after the keyword: the name ends at the first
    /// space (so `api  x` has an empty name, as in FreeSWITCH).
    private static func splitAPICommand(_ text: Substring) -> (name: String, arguments: String) {
        // By bytes (a space is one byte): a walk over Characters cost more
        // than answering `status`.
        guard let space = text.utf8.firstIndex(of: UInt8(ascii: " ")) else { return (String(text), "") }
        return (String(text[..<space]), String(text[text.utf8.index(after: space)...]))
    }

    /// Space-separated tokens after the first word (`event`, `events`,
    /// `nixevent` alike).
    private static func tokensAfterKeyword(_ line: String) -> [Substring] {
        Array(line.split(separator: " ").dropFirst())
    }
}
