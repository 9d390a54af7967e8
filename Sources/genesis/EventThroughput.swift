import Genesis

/// Events per second into a `for try await` loop that reads each event's
/// `Event-Name`.
///
/// The simulator's `api sim_blast` writes pre-rendered events as fast as the
/// socket takes them, so the client is what is measured. A real FreeSWITCH
/// has no such command: there a second connection generates CUSTOM events
/// with pipelined `sendevent`s.
struct EventThroughput {
    var server: InboundConfiguration
    var format: ESLEventFormat

    static let subclass = "genesis::bench"

    func run(count: Int) async throws -> BenchResult {
        let client = try await InboundClient.connect(server)
        defer { client.close() }
        try await client.subscribe(["ALL"], format: format)
        let stopwatch = Stopwatch()
        var generator: Task<Void, any Error>?
        do {
            try await client.api("sim_blast \(count)")
        } catch ESLError.commandFailed {
            generator = try await startGenerator(count: count)
            try await client.unsubscribeAll()
            try await client.subscribe([], subclasses: [Self.subclass], format: format)
        }
        var received = 0
        var named = 0
        for try await event in client.events {
            if event.name != nil { named += 1 }
            received += 1
            if received == count { break }
        }
        let seconds = stopwatch.seconds
        generator?.cancel()
        var extra = [("format", "\"\(format.rawValue)\""), ("named", String(named))]
        if let peak = ProcessMemory.peakResidentBytes() {
            extra.append(("peak_rss_mb", String(peak / 1_048_576)))
        }
        extra.append(("read_pauses", String(client.readPauses)))
        return BenchResult(name: "events", operations: received, seconds: seconds, extra: extra)
    }

    private func startGenerator(count: Int) async throws -> Task<Void, any Error> {
        let generator = try await InboundClient.connect(server)
        return Task {
            defer { generator.close() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                let lanes = 64
                for lane in 0..<lanes {
                    group.addTask {
                        var index = lane
                        while index < count, !Task.isCancelled {
                            try await generator.sendevent(
                                "CUSTOM", headers: [ESLHeader("Event-Subclass", Self.subclass)])
                            index += lanes
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
