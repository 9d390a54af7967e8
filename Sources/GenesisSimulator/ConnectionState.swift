/// The mutable part of a ``SimulatorConnection``, kept behind its mutex.
///
/// Output goes through ``emit(_:isEvent:to:)``, which either writes to the
/// link at once or parks the frame in ``pending``: everything is parked while
/// the connection is stalled or a `sim_blast` burst is in flight
/// (``holdAll``), and events alone while an `api` command runs
/// (``holdEvents``), because FreeSWITCH writes nothing but the response on a
/// connection whose api call is in progress.
struct ConnectionState {
    enum Phase {
        case awaitingAuth
        case authenticated
        case closed
    }

    var phase = Phase.awaitingAuth
    /// Outbound session: `connect` received; before it replies are not written.
    var sessionConnected = false
    /// `linger` seconds (-1 for "until exit"), nil without linger.
    var lingerSeconds: Int?
    var resume = false
    var divertEvents = false
    var lingerTimer: (any SimulatorTimer)?
    /// Replies of the command being handled are dropped (an outbound
    /// session's commands before `connect`, ESL.md 3.2).
    var discardReplies = false
    var authTimer: (any SimulatorTimer)?
    var subscription = EventSubscription()
    var filters = EventFilterList()
    /// Level from `log`, nil after `nolog` or before any `log`.
    var logLevel: Int?

    /// An `api` command has not answered yet; commands wait in ``backlog``.
    var apiRunning = false
    var backlog: [CommandBlock] = []

    var holdAll = 0
    var holdEvents = 0
    /// An outbound session without linger whose channel is gone, waiting
    /// to write its goodbye until a held reply (that of the `sendmsg hangup`
    /// which ended the call) and the events before the goodbye are out.
    var closeWhenReleased = false
    var stalled = false
    var pending: [(frame: [UInt8], isEvent: Bool)] = []
    /// What the switch's ``EventBus`` last learnt of `subscription.enabled`.
    var announcedListening = false
    /// What the switch's ``EventBus`` last learnt of ``routes``.
    var announcedRoutes: [EventRoute]?
    /// What ``routes`` was last computed from: the filters' revision and
    /// the `myevents` channel. Unchanged, the routes are too, so a command
    /// that touched neither costs no walk over thousands of filters.
    var announcedSource: (filters: Int, channelUUID: String?) = (-1, nil)

    /// The (header, value) pairs one of which every event this connection
    /// can want carries, or nil when it may want any event.
    var routes: [EventRoute]? {
        if let uuid = subscription.channelUUID {
            return [EventRoute(header: "Unique-ID", value: uuid), EventRoute(header: "Job-Owner-UUID", value: uuid)]
        }
        return filters.routes
    }

    /// Subscription, filters and authentication all let `event` through.
    func wants(_ event: SimulatorEvent) -> Bool {
        phase == .authenticated && subscription.matches(event) && filters.passes(event)
    }

    mutating func emit(_ frame: [UInt8], isEvent: Bool = false, to link: any SimulatorLink) {
        guard phase != .closed else { return }
        if holdAll > 0 || (isEvent && (holdEvents > 0 || !pending.isEmpty)) {
            pending.append((frame, isEvent))
        } else {
            link.write(frame)
        }
    }

    /// An `api/response` (never discarded, like FreeSWITCH's): handed to
    /// the link as header and body when it can be written at once, so the
    /// body is not copied into a frame of its own.
    mutating func respond(apiBody body: String, to link: any SimulatorLink) {
        guard phase != .closed else { return }
        guard holdAll == 0 else {
            emit(ReplyFrame.apiResponse(body), to: link)
            return
        }
        var body = body
        body.withUTF8 { bodyBytes in
            ReplyFrame.withAPIResponseHead(contentLength: bodyBytes.count) { head in
                link.write(head, UnsafeRawBufferPointer(bodyBytes))
            }
        }
    }

    /// A `command/reply` with FreeSWITCH's 511-byte Reply-Text limit.
    mutating func reply(_ text: String, to link: any SimulatorLink) {
        guard !discardReplies else { return }
        emit(ReplyFrame.commandReply(text), to: link)
    }

    /// Writes what the current holds allow, keeping order among what stays.
    mutating func flush(to link: any SimulatorLink) {
        guard holdAll == 0, !pending.isEmpty, phase != .closed else { return }
        var kept: [(frame: [UInt8], isEvent: Bool)] = []
        for item in pending {
            if holdEvents > 0 && item.isEvent {
                kept.append(item)
            } else {
                link.write(item.frame)
            }
        }
        pending = kept
    }

    /// Writes what is still allowed out and stops all further output. The
    /// caller closes the link after releasing the lock, so a link whose
    /// close reports back synchronously cannot deadlock the connection.
    /// Writes what the holds now allow; true when that was the last thing a
    /// session waiting to close (``closeWhenReleased``) had to write, and the
    /// connection is now closed: the caller closes the link after releasing
    /// the lock.
    mutating func release(to link: any SimulatorLink) -> Bool {
        flush(to: link)
        guard closeWhenReleased, holdAll == 0, holdEvents == 0 else { return false }
        finishWriting(to: link)
        return true
    }

    mutating func finishWriting(to link: any SimulatorLink) {
        guard phase != .closed else { return }
        flush(to: link)
        markClosed()
    }

    mutating func markClosed() {
        phase = .closed
        pending.removeAll()
        backlog.removeAll()
        authTimer = nil
    }
}
