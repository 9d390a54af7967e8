import Genesis
import Synchronization

/// Something that receives every published event and decides for itself
/// whether it wants it (today a client connection; later outbound sessions
/// and channel event queues).
protocol SimulatorEventSubscriber: AnyObject, Sendable {
    func deliver(_ event: SimulatorEvent, frames: RenderedEventFrames)
    /// Whether an event of `type` could reach this subscriber (filters
    /// aside). False lets the switch skip building events nobody reads,
    /// which is most of the cost of a call under load.
    func mightWant(type: String) -> Bool
}

/// The switch's event dispatcher: fans each event out to every subscriber,
/// in subscription order. The list is copied under the lock (a reference
/// copy, thanks to copy-on-write) and delivery happens outside it, so
/// subscribers may publish or unsubscribe while handling an event.
final class EventBus: Sendable {
    private let subscribers = Mutex<[(id: Int, subscriber: any SimulatorEventSubscriber)]>([])

    func add(_ subscriber: any SimulatorEventSubscriber, id: Int) {
        subscribers.withLock { list in
            list.removeAll { $0.id == id }
            list.append((id, subscriber))
        }
    }

    func remove(id: Int) {
        subscribers.withLock { list in list.removeAll { $0.id == id } }
    }

    func subscriber(id: Int) -> (any SimulatorEventSubscriber)? {
        subscribers.withLock { list in list.first { $0.id == id }?.subscriber }
    }

    /// True when some subscriber could receive an event of `type`.
    func anyoneMightWant(_ type: String) -> Bool {
        subscribers.withLock { $0 }.contains { $0.subscriber.mightWant(type: type) }
    }

    var all: [any SimulatorEventSubscriber] {
        subscribers.withLock { $0 }.map(\.subscriber)
    }

    func publish(_ event: SimulatorEvent) {
        let frames = RenderedEventFrames(event)
        for entry in subscribers.withLock({ $0 }) {
            entry.subscriber.deliver(event, frames: frames)
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
