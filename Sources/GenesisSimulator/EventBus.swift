import Genesis
import Synchronization

/// Something that receives published events and decides for itself
/// whether it wants them (a client connection or an outbound session).
/// It must tell the bus when it may want any at all
/// (``EventBus/listen(id:_:)``): until then ``EventBus/anyoneMightWant(_:)``
/// does not ask it.
protocol SimulatorEventSubscriber: AnyObject, Sendable {
    func deliver(_ event: SimulatorEvent, frames: RenderedEventFrames)
    /// A log line, for a subscriber that said it logs (``EventBus/log(id:_:)``);
    /// it applies its own level.
    func deliverLog(_ line: SimulatorLogLine, frame: [UInt8])
    /// Whether an event of `type` could reach this subscriber (filters
    /// aside). False lets the switch skip building events nobody reads,
    /// which is most of the cost of a call under load.
    func mightWant(type: String) -> Bool
}

/// The switch's event dispatcher.
///
/// A subscriber that can only want events carrying one of a few
/// (header, value) pairs (`myevents <uuid>`, or filters that are all
/// positive literals such as `filter Unique-ID <uuid>`) is registered under
/// those routes; every other subscriber is asked about every event. With
/// 10,000 outbound sessions each filtered on its own channel, an event then
/// costs a handful of dictionary lookups instead of 10,000 filter checks.
/// Routes only narrow who is asked: each candidate still applies its own
/// subscription and filters, so delivery is exactly what FreeSWITCH does.
///
/// Candidates are found under the lock and delivered to outside it, in
/// subscription order, so subscribers may publish or unsubscribe while
/// handling an event.
final class EventBus: Sendable {
    private struct Entry {
        let subscriber: any SimulatorEventSubscriber
        var routes: [EventRoute]?
        /// What the subscriber last said through ``listen(id:_:)``.
        var listening = false
        /// What the subscriber last said through ``log(id:_:)``.
        var logging = false
    }

    private struct Table {
        var entries: [Int: Entry] = [:]
        /// Subscribers asked about every event.
        var unrouted: [Int: any SimulatorEventSubscriber] = [:]
        var routed: [EventRoute: [Int: any SimulatorEventSubscriber]] = [:]
        /// Header names some route uses, with how many routes use each.
        var routedHeaders: [String: Int] = [:]

        mutating func unlink(_ id: Int) {
            guard let entry = entries[id] else { return }
            guard let routes = entry.routes else {
                unrouted[id] = nil
                return
            }
            for route in routes {
                routed[route]?[id] = nil
                if routed[route]?.isEmpty == true { routed[route] = nil }
                routedHeaders[route.header, default: 1] -= 1
                if routedHeaders[route.header] == 0 { routedHeaders[route.header] = nil }
            }
        }

        mutating func link(_ id: Int, _ entry: Entry) {
            entries[id] = entry
            guard let routes = entry.routes else {
                unrouted[id] = entry.subscriber
                return
            }
            for route in routes {
                routed[route, default: [:]][id] = entry.subscriber
                routedHeaders[route.header, default: 0] += 1
            }
        }
    }

    private let table = Lock(Table())
    /// How many subscribers said they may want events (``listen(id:_:)``).
    /// While none did, ``anyoneMightWant(_:)`` answers without asking each:
    /// it runs for every `api` command, to decide whether to build the API
    /// event.
    private let listeners = Atomic<Int>(0)
    /// How many subscribers asked for log lines (``log(id:_:)``): while none
    /// did, the switch builds no log line at all.
    private let loggers = Atomic<Int>(0)

    /// Registers `subscriber`, asked about every event until ``route(id:through:)``.
    func add(_ subscriber: any SimulatorEventSubscriber, id: Int) {
        table.withLock { table in
            if table.entries[id]?.listening == true {
                listeners.subtract(1, ordering: .sequentiallyConsistent)
            }
            if table.entries[id]?.logging == true {
                loggers.subtract(1, ordering: .sequentiallyConsistent)
            }
            table.unlink(id)
            table.link(id, Entry(subscriber: subscriber, routes: nil))
        }
    }

    /// Whether `id` may want events at all (events enabled). A subscriber
    /// must say true before anything can observe that its events are
    /// enabled (before the reply to `event`), or ``anyoneMightWant(_:)``
    /// could skip an event it wants; saying false late only costs an event
    /// built for nobody.
    func listen(id: Int, _ listening: Bool) {
        table.withLock { table in
            guard let entry = table.entries[id], entry.listening != listening else { return }
            table.entries[id]?.listening = listening
            listeners.add(listening ? 1 : -1, ordering: .sequentiallyConsistent)
        }
    }

    /// From now on `id` is asked only about events that carry one of
    /// `routes` (nil: about every event). Call it while holding whatever
    /// lock guards the subscription the routes were derived from, so no
    /// event slips between the change and the new routes.
    func route(id: Int, through routes: [EventRoute]?) {
        table.withLock { table in
            guard var entry = table.entries[id] else { return }
            table.unlink(id)
            entry.routes = routes.map { Array(Set($0)) }
            table.link(id, entry)
        }
    }

    /// Whether `id` wants log lines (`log`, until `nolog` or its end).
    func log(id: Int, _ logging: Bool) {
        table.withLock { table in
            guard let entry = table.entries[id], entry.logging != logging else { return }
            table.entries[id]?.logging = logging
            loggers.add(logging ? 1 : -1, ordering: .sequentiallyConsistent)
        }
    }

    /// True when some subscriber asked for log lines.
    var anyoneLogging: Bool { loggers.load(ordering: .sequentiallyConsistent) > 0 }

    /// Hands `line` to every subscriber that asked for log lines, in
    /// subscription order.
    func publishLog(_ line: SimulatorLogLine, frame: [UInt8]) {
        let logging = table.withLock { table in
            table.entries.filter(\.value.logging).sorted { $0.key < $1.key }.map(\.value.subscriber)
        }
        for subscriber in logging { subscriber.deliverLog(line, frame: frame) }
    }

    func remove(id: Int) {
        table.withLock { table in
            if table.entries[id]?.listening == true {
                listeners.subtract(1, ordering: .sequentiallyConsistent)
            }
            if table.entries[id]?.logging == true {
                loggers.subtract(1, ordering: .sequentiallyConsistent)
            }
            table.unlink(id)
            table.entries[id] = nil
        }
    }

    func subscriber(id: Int) -> (any SimulatorEventSubscriber)? {
        table.withLock { $0.entries[id]?.subscriber }
    }

    /// True when some subscriber could receive an event of `type`.
    func anyoneMightWant(_ type: String) -> Bool {
        guard listeners.load(ordering: .sequentiallyConsistent) > 0 else { return false }
        return table.withLock { $0.entries }.values.contains { $0.subscriber.mightWant(type: type) }
    }

    var all: [any SimulatorEventSubscriber] {
        table.withLock { $0.entries }.sorted { $0.key < $1.key }.map(\.value.subscriber)
    }

    func publish(_ event: SimulatorEvent) {
        let frames = RenderedEventFrames(event)
        for subscriber in candidates(for: event) {
            subscriber.deliver(event, frames: frames)
        }
    }

    private func candidates(for event: SimulatorEvent) -> [any SimulatorEventSubscriber] {
        table.withLock { table in
            var found: [(id: Int, subscriber: any SimulatorEventSubscriber)] = []
            found.reserveCapacity(table.unrouted.count + 2)
            for (id, subscriber) in table.unrouted { found.append((id, subscriber)) }
            for header in table.routedHeaders.keys {
                guard let value = event.header(header),
                      let subscribers = table.routed[EventRoute(header: header, value: value)] else { continue }
                for (id, subscriber) in subscribers { found.append((id, subscriber)) }
            }
            found.sort { $0.id < $1.id }
            var result: [any SimulatorEventSubscriber] = []
            result.reserveCapacity(found.count)
            var last = -1
            for entry in found where entry.id != last {
                result.append(entry.subscriber)
                last = entry.id
            }
            return result
        }
    }
}

/// One event's wire frames, rendered at most once per format however many
/// connections receive it. Lives only for one synchronous publish.
final class RenderedEventFrames {
    let event: SimulatorEvent
    private var cache: [ESLEventFormat: [UInt8]] = [:]

    init(_ event: SimulatorEvent) {
        self.event = event
    }

    func frame(_ format: ESLEventFormat) -> [UInt8] {
        if let frame = cache[format] { return frame }
        let frame = EventRenderer.frame(event, format: format)
        cache[format] = frame
        return frame
    }
}
