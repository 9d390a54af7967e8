import CGenesis
import Genesis
import Synchronization
import Testing

/// Behaviour every backend must show, run here in memory and in
/// QueueRedisTests against Redis.
enum QueueBehaviour {
    /// Callers join one by one (each seen in line before the next joins),
    /// then take slots in exactly that order.
    static func strictFIFO(_ queues: [Queue], name: String) async throws {
        let order = Locked<[Int]>([])
        let holder = try await queues[0].acquire(name)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                let queue = queues[index % queues.count]
                group.addTask {
                    try await queue.slot(name, item: "caller-\(index)") {
                        order.withLock { $0.append(index) }
                    }
                }
                let joined = await eventually {
                    (try? await queue.position(of: "caller-\(index)", in: name)) == index + 1
                }
                #expect(joined)
            }
            try await queues[0].release(holder)
            try await group.waitForAll()
        }
        #expect(order.withLock { $0 } == Array(0..<8))
    }

    /// Many callers at once never exceed the limit, and do reach it.
    static func limitHolds(_ queues: [Queue], name: String, limit: Int) async throws {
        let inside = Locked(0)
        let peak = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<24 {
                let queue = queues[index % queues.count]
                group.addTask {
                    try await queue.slot(name, maxConcurrent: limit) {
                        let now = inside.withLock { $0 += 1; return $0 }
                        peak.withLock { $0 = max($0, now) }
                        try await Task.sleep(for: .milliseconds(20))
                        inside.withLock { $0 -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.withLock { $0 } == limit)
    }

    /// A caller whose timeout runs out leaves the line; the one behind it is
    /// served as soon as the slot is free.
    static func timeoutLeavesTheLine(_ queue: Queue, name: String) async throws {
        let holder = try await queue.acquire(name)
        let behind = Task { try await queue.acquire(name, item: "behind") }
        #expect(await eventually { (try? await queue.position(of: "behind", in: name)) == 1 })
        let started = ContinuousClock.now
        await #expect {
            _ = try await queue.acquire(name, timeout: .milliseconds(200), item: "impatient")
        } throws: { error in
            guard case .timedOut(let queueName, let waited) = error as? QueueError else { return false }
            return queueName == name && waited >= .milliseconds(200)
        }
        // Without its timeout the wait would last as long as the holder (the
        // whole test); the error already says the 200 ms passed. The bound
        // only has to tell "ended by the timeout" from "never", with room
        // for a loaded machine's scheduling lag.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(try await queue.position(of: "impatient", in: name) == nil)
        try await queue.release(holder)
        let lease = try await behind.value
        #expect(lease.item == "behind")
        try await queue.release(lease)
    }

    /// A cancelled waiter at the head of the line leaves it and never blocks
    /// the callers behind it.
    static func cancelledWaiterLeaves(_ queue: Queue, name: String) async throws {
        let holder = try await queue.acquire(name)
        let hungUp = Task { try await queue.acquire(name, item: "hung-up") }
        #expect(await eventually { (try? await queue.position(of: "hung-up", in: name)) == 1 })
        let patient = Task { try await queue.acquire(name, item: "patient") }
        #expect(await eventually { (try? await queue.position(of: "patient", in: name)) == 2 })
        hungUp.cancel()
        await #expect(throws: QueueError.cancelled(queue: name)) { _ = try await hungUp.value }
        #expect(try await queue.position(of: "patient", in: name) == 1)
        try await queue.release(holder)
        let lease = try await patient.value
        #expect(lease.item == "patient")
        try await queue.release(lease)
    }
}

@Suite("In-memory queue")
struct QueueTests {
    @Test func strictFIFO() async throws {
        try await QueueBehaviour.strictFIFO([Queue()], name: "fifo")
    }

    @Test func maxConcurrentHolders() async throws {
        try await QueueBehaviour.limitHolds([Queue()], name: "limit", limit: 3)
    }

    @Test func timeoutLeavesTheLine() async throws {
        try await QueueBehaviour.timeoutLeavesTheLine(Queue(), name: "timeout")
    }

    @Test func cancelledWaiterLeaves() async throws {
        try await QueueBehaviour.cancelledWaiterLeaves(Queue(), name: "cancel")
    }

    @Test func positionIsReportedAsTheLineMoves() async throws {
        let queue = Queue()
        let holder = try await queue.acquire("p")
        let first = Task { try await queue.acquire("p", item: "first") }
        #expect(await eventually { (try? await queue.position(of: "first", in: "p")) == 1 })
        let seen = Locked<[Int]>([])
        let second = Task {
            try await queue.acquire("p", item: "second", onPosition: { place in seen.withLock { $0.append(place) } })
        }
        #expect(await eventually { seen.withLock { $0 } == [2] })
        first.cancel()
        #expect(await eventually { seen.withLock { $0 } == [2, 1] })
        try await queue.release(holder)
        try await queue.release(try await second.value)
        _ = try? await first.value
    }

    @Test func limitMismatchIsRefusedWithoutJoining() async throws {
        let queue = Queue()
        let holder = try await queue.acquire("m", maxConcurrent: 2)
        await #expect(throws: QueueError.limitMismatch(queue: "m", inUse: 2, requested: 3)) {
            _ = try await queue.acquire("m", maxConcurrent: 3)
        }
        try await queue.release(holder)
        // Idle again: a new limit may be set.
        let other = try await queue.acquire("m", maxConcurrent: 3)
        try await queue.release(other)
        await #expect(throws: QueueError.self) { _ = try await queue.acquire("m", maxConcurrent: 0) }
    }

    @Test func aSharedSemaphoreGivesEachUseItsOwnSlot() async throws {
        let semaphore = Queue().semaphore("sem", maxConcurrent: 2)
        let inside = Locked(0)
        let peak = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await semaphore.withSlot {
                        let now = inside.withLock { $0 += 1; return $0 }
                        peak.withLock { $0 = max($0, now) }
                        try await Task.sleep(for: .milliseconds(10))
                        inside.withLock { $0 -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.withLock { $0 } == 2)
        // Every slot came back: the limit is free again.
        let a = try await semaphore.acquire(), b = try await semaphore.acquire()
        try await semaphore.release(a)
        try await semaphore.release(b)
    }

    @Test func slotReleasesWhenTheBodyThrows() async throws {
        let queue = Queue()
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await queue.slot("throws") { throw Boom() } }
        let lease = try await queue.acquire("throws", timeout: .milliseconds(200))
        try await queue.release(lease)
    }

    @Test func operationsAndWaitsAreCounted() async throws {
        let name = "metrics-\(UInt32.random(in: 0...UInt32.max))"
        try await Queue().slot(name) {}
        #expect(counter(name, "acquire") == 1)
        #expect(counter(name, "release") == 1)
        let waits = name.withCString { label in
            gen_metric_series(Int32(GEN_M_QUEUE_WAIT_DURATION.rawValue), [label], 1)
        }
        #expect(gen_histogram_count(gen_series(waits)) == 1)
    }

    private func counter(_ queue: String, _ op: String) -> Double {
        let series = queue.withCString { queueLabel in
            op.withCString { opLabel in
                gen_metric_series(Int32(GEN_M_QUEUE_OPERATIONS.rawValue), [queueLabel, opLabel], 2)
            }
        }
        return gen_counter_value(gen_series(series))
    }
}
