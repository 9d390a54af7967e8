import DequeModule
import Synchronization

/// A `QueueBackend` for one process. Each queue is a deque of waiters and a
/// set of holders behind one lock; a queue with neither is forgotten, so its
/// limit may change.
public final class InMemoryQueueBackend: QueueBackend {
    private typealias Resume = CheckedContinuation<Result<Void, QueueError>, Never>

    private struct Waiter {
        let item: String
        let continuation: Resume
        let onPosition: (@Sendable (Int) -> Void)?
        var reported = 0
    }

    private struct Line {
        var limit: Int
        var waiting: Deque<Waiter> = []
        var holders: Set<String> = []
        var observers = 0
    }

    /// Work to do once the lock is released.
    private struct Effects {
        var resumes: [(Resume, Result<Void, QueueError>)] = []
        var positions: [(@Sendable (Int) -> Void, Int)] = []

        func run() {
            for (observer, position) in positions { observer(position) }
            for (continuation, result) in resumes { continuation.resume(returning: result) }
        }
    }

    private let lines = Lock<[String: Line]>([:])

    public init() {}

    public func acquire(_ request: QueueRequest) async throws(QueueError) {
        let queue = request.queue, item = request.item
        guard request.maxConcurrent >= 1 else {
            throw QueueError.invalidRequest(reason: "maxConcurrent must be at least 1")
        }
        let timer = request.deadline.map { deadline in
            Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                guard !Task.isCancelled else { return }
                self?.leave(queue: queue, item: item, because: .timedOut(queue: queue, waited: .now - request.start))
            }
        }
        defer { timer?.cancel() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Resume) in
                let effects = lines.withLock { lines in
                    Self.join(&lines, request, continuation)
                }
                effects.run()
            }
        } onCancel: {
            leave(queue: queue, item: item, because: .cancelled(queue: queue))
        }
        try result.get()
    }

    public func release(queue: String, item: String) {
        let effects = lines.withLock { lines -> Effects in
            guard var line = lines[queue], line.holders.remove(item) != nil else { return Effects() }
            let effects = Self.grant(&line)
            Self.store(line, as: queue, in: &lines)
            return effects
        }
        effects.run()
    }

    /// Every queue's holders and waiters added up: zero once every caller
    /// has released or left (what a leak check reads).
    package var occupancy: (holders: Int, waiting: Int, queues: Int) {
        lines.withLock { lines in
            lines.values.reduce(into: (holders: 0, waiting: 0, queues: lines.count)) { total, line in
                total.holders += line.holders.count
                total.waiting += line.waiting.count
            }
        }
    }

    public func position(queue: String, item: String) -> Int? {
        lines.withLock { lines in
            lines[queue]?.waiting.firstIndex { $0.item == item }.map { $0 + 1 }
        }
    }

    private static func join(_ lines: inout [String: Line], _ request: QueueRequest, _ continuation: Resume)
        -> Effects
    {
        var effects = Effects()
        // Checked under the lock that onCancel also takes: either the waiter
        // is in line when onCancel runs, or this sees the cancellation.
        if Task.isCancelled {
            effects.resumes.append((continuation, .failure(.cancelled(queue: request.queue))))
            return effects
        }
        var line = lines[request.queue] ?? Line(limit: request.maxConcurrent)
        if line.limit != request.maxConcurrent {
            effects.resumes.append((continuation, .failure(.limitMismatch(
                queue: request.queue, inUse: line.limit, requested: request.maxConcurrent))))
            return effects
        }
        if line.holders.contains(request.item) || line.waiting.contains(where: { $0.item == request.item }) {
            effects.resumes.append((continuation, .failure(.invalidRequest(
                reason: "item \(request.item) is already in queue \(request.queue)"))))
            return effects
        }
        line.waiting.append(Waiter(item: request.item, continuation: continuation, onPosition: request.onPosition))
        if request.onPosition != nil { line.observers += 1 }
        effects = grant(&line)
        lines[request.queue] = line
        return effects
    }

    private func leave(queue: String, item: String, because error: QueueError) {
        let effects = lines.withLock { lines -> Effects in
            guard var line = lines[queue], let index = line.waiting.firstIndex(where: { $0.item == item }) else {
                return Effects() // already granted (or gone): nothing to undo here
            }
            let waiter = line.waiting.remove(at: index)
            if waiter.onPosition != nil { line.observers -= 1 }
            var effects = Self.grant(&line)
            effects.resumes.append((waiter.continuation, .failure(error)))
            Self.store(line, as: queue, in: &lines)
            return effects
        }
        effects.run()
    }

    /// Hands free slots to the head of the line, then tells the observers
    /// whose place changed.
    private static func grant(_ line: inout Line) -> Effects {
        var effects = Effects()
        while line.holders.count < line.limit, let head = line.waiting.popFirst() {
            line.holders.insert(head.item)
            if head.onPosition != nil { line.observers -= 1 }
            effects.resumes.append((head.continuation, .success(())))
        }
        if line.observers > 0 {
            for index in line.waiting.indices {
                guard let observer = line.waiting[index].onPosition, line.waiting[index].reported != index + 1 else {
                    continue
                }
                line.waiting[index].reported = index + 1
                effects.positions.append((observer, index + 1))
            }
        }
        return effects
    }

    private static func store(_ line: Line, as queue: String, in lines: inout [String: Line]) {
        lines[queue] = line.waiting.isEmpty && line.holders.isEmpty ? nil : line
    }
}
