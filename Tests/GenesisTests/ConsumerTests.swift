import Genesis
import GenesisSimulator
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Consumer: handlers, subscription, ordering")
struct ConsumerTests {
    /// A simulator and a consumer running against it in the background.
    struct Running {
        let simulator: SimulatorServer
        let consumer: Consumer
        let task: Task<Void, any Error>

        static func start(
            heartbeat: Duration = .seconds(20), lanes: Int = 8,
            register: (Consumer) throws -> Void
        ) async throws -> Running {
            var configuration = SimulatorConfiguration()
            configuration.heartbeatInterval = heartbeat
            let simulator = try SimulatorServer.start(
                host: "127.0.0.1", port: 0, simulator: SimulatorSwitch(configuration: configuration))
            let consumer = Consumer(configuration: ConsumerConfiguration(
                inbound: InboundConfiguration(host: "127.0.0.1", port: simulator.port), lanes: lanes))
            try register(consumer)
            let task = Task { try await consumer.run() }
            try await withDeadline(.seconds(5)) {
                while consumer.client == nil { try await Task.sleep(for: .milliseconds(5)) }
                try await consumer.synchronizeSubscription()
            }
            return Running(simulator: simulator, consumer: consumer, task: task)
        }

        func fire(_ name: String, subclass: String? = nil, _ headers: [(name: String, value: String)] = []) {
            _ = simulator.simulator.fire(eventName: name, subclass: subclass, headers: headers)
        }

        func stop() async {
            consumer.client?.close()
            _ = await task.result
            simulator.close()
        }
    }

    @Test func handlersByNameSubclassAndConditions() async throws {
        let seen = Box<[String]>([])
        let running = try await Running.start { consumer in
            consumer.on("CHANNEL_ANSWER") { event in seen.update { $0.append("answer \(event.uniqueID ?? "")") } }
            consumer.on(subclass: "sofia::register", where: [
                .present("from-user"), .equals("status", "Registered(UDP)"), try .matches("contact", #"<sip:10\."#),
            ]) { event in seen.update { $0.append("register \(event["from-user"] ?? "")") } }
        }
        running.fire("CHANNEL_ANSWER", [("Unique-ID", "u1")])
        running.fire("CUSTOM", subclass: "sofia::register",
                     [("from-user", "1000"), ("status", "Registered(UDP)"), ("contact", "<sip:10.0.0.7:5060>")])
        // Each of these fails one condition.
        running.fire("CUSTOM", subclass: "sofia::register", [("status", "Registered(UDP)"), ("contact", "<sip:10.0.0.8>")])
        running.fire("CUSTOM", subclass: "sofia::register",
                     [("from-user", "1002"), ("status", "Unregistered"), ("contact", "<sip:10.0.0.9>")])
        running.fire("CUSTOM", subclass: "sofia::register",
                     [("from-user", "1003"), ("status", "Registered(UDP)"), ("contact", "<sip:192.168.1.2>")])
        // Not subscribed: never delivered.
        running.fire("CHANNEL_CREATE", [("Unique-ID", "u2")])
        running.fire("CUSTOM", subclass: "sofia::unregister", [("from-user", "1000")])
        running.fire("CHANNEL_ANSWER", [("Unique-ID", "u3")])
        try await withDeadline(.seconds(5)) {
            while seen.current.count < 3 { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(Set(seen.current) == ["answer u1", "register 1000", "answer u3"])
        await running.stop()
    }

    @Test func catchAllReceivesEverything() async throws {
        let names = Box<[String]>([])
        let running = try await Running.start(heartbeat: .milliseconds(100)) { consumer in
            consumer.onAll { event in names.update { $0.append(event.subclass ?? event.name ?? "?") } }
        }
        running.fire("CUSTOM", subclass: "any::thing")
        running.fire("CHANNEL_CREATE", [("Unique-ID", "u1")])
        try await withDeadline(.seconds(5)) {
            while !(names.current.contains("any::thing") && names.current.contains("CHANNEL_CREATE")
                    && names.current.contains("HEARTBEAT")) {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        await running.stop()
    }

    @Test func handlerAddedAfterStartIsSubscribed() async throws {
        let seen = Box<[String]>([])
        let running = try await Running.start { consumer in
            consumer.on("CHANNEL_ANSWER") { _ in seen.update { $0.append("answer") } }
        }
        running.consumer.on(subclass: "callcenter::info") { _ in seen.update { $0.append("late") } }
        try await running.consumer.synchronizeSubscription()
        running.fire("CUSTOM", subclass: "callcenter::info")
        try await withDeadline(.seconds(5)) {
            while !seen.current.contains("late") { try await Task.sleep(for: .milliseconds(10)) }
        }
        await running.stop()
    }

    @Test func throwingHandlerIsCountedAndTheConsumerCarriesOn() async throws {
        struct Boom: Error {}
        let after = Box<Int>(0)
        let running = try await Running.start { consumer in
            consumer.on("CUSTOM") { _ in }
            consumer.on(subclass: "test::boom") { _ in throw Boom() }
            consumer.on(subclass: "test::ok") { _ in after.update { $0 += 1 } }
        }
        running.fire("CUSTOM", subclass: "test::boom", [("Unique-ID", "x")])
        running.fire("CUSTOM", subclass: "test::boom", [("Unique-ID", "x")])
        running.fire("CUSTOM", subclass: "test::ok", [("Unique-ID", "x")])
        try await withDeadline(.seconds(5)) {
            while after.current < 1 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(running.consumer.handlerFailures == 2)
        await running.stop()
    }

    @Test func eventsOfOneCallStayInOrderWhileCallsRunInParallel() async throws {
        let perCall = Box<[String: [Int]]>([:])
        let active = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let running = try await Running.start(lanes: 8) { consumer in
            consumer.on(subclass: "load::step") { event in
                let now = active.add(1, ordering: .relaxed).newValue
                _ = peak.max(now, ordering: .relaxed)
                // Uneven work so that a reordering bug would show.
                let sequence = Int(event["Seq"] ?? "") ?? -1
                if sequence % 7 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                perCall.update { $0[event.uniqueID ?? "", default: []].append(sequence) }
                active.subtract(1, ordering: .relaxed)
            }
        }
        let calls = 40
        let steps = 50
        for step in 0..<steps {
            for call in 0..<calls {
                running.fire("CUSTOM", subclass: "load::step", [("Unique-ID", "call-\(call)"), ("Seq", "\(step)")])
            }
        }
        try await withDeadline(.seconds(30)) {
            while perCall.current.values.reduce(0, { $0 + $1.count }) < calls * steps {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        for (call, sequence) in perCall.current {
            #expect(sequence == Array(0..<steps), "call \(call) out of order")
        }
        #expect(peak.load(ordering: .relaxed) > 1)
        await running.stop()
    }

    @Test func heartbeatIsTrackedForHealth() async throws {
        let beats = Atomic<Int>(0)
        var configuration = SimulatorConfiguration()
        configuration.heartbeatInterval = .milliseconds(100)
        let simulator = try SimulatorServer.start(
            host: "127.0.0.1", port: 0, simulator: SimulatorSwitch(configuration: configuration))
        let consumer = Consumer(configuration: ConsumerConfiguration(
            inbound: InboundConfiguration(host: "127.0.0.1", port: simulator.port),
            onHeartbeat: { _ in beats.add(1, ordering: .relaxed) }))
        #expect(!consumer.isHealthy())
        let task = Task { try await consumer.run() }
        try await withDeadline(.seconds(5)) {
            while beats.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(consumer.isHealthy(within: .seconds(1)))
        consumer.client?.close()
        _ = await task.result
        simulator.close()
    }

    @Test func runsAsAServiceAndStopsOnGracefulShutdown() async throws {
        let simulator = try SimulatorServer.start(host: "127.0.0.1", port: 0, simulator: SimulatorSwitch())
        let consumer = Consumer(configuration: ConsumerConfiguration(
            inbound: InboundConfiguration(host: "127.0.0.1", port: simulator.port)))
        consumer.on("CHANNEL_ANSWER") { _ in }
        let group = ServiceGroup(services: [consumer], logger: Logger(label: "test"))
        try await withDeadline(.seconds(10)) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while consumer.client == nil { try await Task.sleep(for: .milliseconds(5)) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        #expect(consumer.client == nil)
        simulator.close()
    }
}
