import Genesis
import GenesisSimulator
import Testing

@Suite("DTMF handlers per channel")
struct ChannelDTMFTests {
    @Test func specificDigitHandlerTakesPrecedenceOverCatchAll() async throws {
        let fixture = try await CallFixture.start()
        let channel = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        let specific = Box<[String]>([])
        let catchAll = Box<[String]>([])
        channel.onDTMF("1") { digit in specific.update { $0.append(digit) } }
        channel.onDTMF { digit in catchAll.update { $0.append(digit) } }
        try await fixture.client.api("uuid_recv_dtmf \(channel.uuid) 1213")
        try await withDeadline(.seconds(5)) {
            while specific.current.count + catchAll.current.count < 4 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(specific.current == ["1", "1"])
        #expect(catchAll.current == ["2", "3"])
        try await channel.hangup()
        await fixture.close()
    }

    @Test func handlersOnlySeeTheirOwnChannelsDigits() async throws {
        let fixture = try await CallFixture.start()
        let first = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1000") }
        let second = try await withDeadline(.seconds(10)) { try await fixture.calls.originate("loopback/1001") }
        let firstDigits = Box<String>("")
        let secondDigits = Box<String>("")
        first.onDTMF { digit in firstDigits.update { $0 += digit } }
        second.onDTMF { digit in secondDigits.update { $0 += digit } }
        try await fixture.client.api("uuid_recv_dtmf \(first.uuid) 55")
        try await fixture.client.api("uuid_recv_dtmf \(second.uuid) 9")
        try await withDeadline(.seconds(5)) {
            while firstDigits.current.count < 2 || secondDigits.current.count < 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(firstDigits.current == "55")
        #expect(secondDigits.current == "9")
        try await first.hangup()
        try await second.hangup()
        await fixture.close()
    }
}
