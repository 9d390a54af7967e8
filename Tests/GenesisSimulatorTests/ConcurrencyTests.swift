import GenesisSimulator
import Genesis
import Synchronization
import Testing

@Suite("concurrency and output ordering")
struct ConcurrencyTests {
    @Test("events fired from many threads while commands run never interleave inside a frame")
    func framesStayWhole() async {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event json CUSTOM")
        link.reset()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<250 {
                        simulator.fire(eventName: "CUSTOM", headers: [("X-Worker", "\(worker)"), ("X-Index", "\(index)")])
                    }
                }
            }
            group.addTask {
                for index in 0..<100 { connection.send("api echo \(index)") }
            }
        }
        let frames = link.frames
        #expect(frames.reduce(0) { $0 + $1.raw.count } == link.bytes.count)
        #expect(frames.filter(\.isEvent).count == 1000)
        #expect(frames.filter { $0.contentType == "api/response" }.map(\.bodyText) == (0..<100).map(String.init))
        // Per worker, events keep the order they were fired in.
        for worker in 0..<4 {
            let indices = frames.filter { $0.bodyText.contains("\"X-Worker\":\"\(worker)\"") }
                .compactMap { $0.bodyText.firstMatch(of: /"X-Index":"(\d+)"/).map { Int($0.output.1)! } }
            #expect(indices == Array(0..<250))
        }
    }

    @Test("events raised by a batch wait for its end; a pipelined exit discards them (capture 14)")
    func batchHoldsEventsAndExitDiscardsThem() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        connection.send("event plain CUSTOM")
        link.reset()
        connection.receive(batch: [("sendevent CUSTOM\n\n", nil), ("api echo next\n\n", nil)])
        #expect(link.frames.map(\.contentType) == ["command/reply", "api/response", "text/event-plain"])

        link.reset()
        connection.receive(batch: [("sendevent CUSTOM\n\n", nil), ("exit\n\n", nil)])
        #expect(link.frames.map(\.contentType) == ["command/reply", "command/reply", "text/disconnect-notice"])
        #expect(link.isClosed)
    }

    @Test("nothing is written between the copies of a sim_blast burst, however the link batches it")
    func blastHoldsOtherOutput() throws {
        let simulator = capturedSwitch()
        let link = BatchingLink()
        let connection = SimulatorConnection(simulator: simulator, link: link)
        connection.start()
        connection.send("auth ClueCon")
        connection.send("event plain HEARTBEAT CUSTOM")
        link.reset()
        connection.send("api sim_blast 3")
        simulator.fire(eventName: "CUSTOM")
        connection.send("api echo later")
        #expect(link.frames.map(\.contentType) == ["api/response"])
        link.finishBurst()
        let frames = link.frames
        #expect(frames.map(\.contentType) == [
            "api/response", "text/event-plain", "text/event-plain", "text/event-plain",
            "text/event-plain", "api/response",
        ])
        #expect(frames[1].bodyText.hasPrefix("Event-Name: HEARTBEAT\n"))
        #expect(frames[4].bodyText.hasPrefix("Event-Name: CUSTOM\n"))
        #expect(frames[5].bodyText == "later")
    }
}

/// A link that writes a burst only when told to, like a socket that drains
/// slowly and reports completion later.
final class BatchingLink: SimulatorLink {
    private struct State {
        var bytes: [UInt8] = []
        var burst: (frame: [UInt8], count: Int, completion: @Sendable () -> Void)?
    }

    private let state = Lock(State())

    func write(_ bytes: [UInt8]) {
        state.withLock { $0.bytes.append(contentsOf: bytes) }
    }

    func writeRepeated(_ bytes: [UInt8], count: Int, completion: @escaping @Sendable () -> Void) {
        state.withLock { $0.burst = (bytes, count, completion) }
    }

    func close() {}

    func finishBurst() {
        let completion = state.withLock { state -> (@Sendable () -> Void)? in
            guard let burst = state.burst else { return nil }
            for _ in 0..<burst.count { state.bytes.append(contentsOf: burst.frame) }
            state.burst = nil
            return burst.completion
        }
        completion?()
    }

    func reset() {
        state.withLock { $0.bytes.removeAll() }
    }

    var frames: [WireFrame] { WireFrame.split(state.withLock { $0.bytes }) }
}
