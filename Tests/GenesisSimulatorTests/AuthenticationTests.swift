import GenesisSimulator
import Testing

@Suite("Authentication and exit")
struct AuthenticationTests {
    @Test("auth ok then exit reproduces capture 01 byte for byte")
    func authOkThenExitMatchesCapture() throws {
        let (connection, link) = connect(capturedSwitch(), authenticate: false)
        connection.replay(Capture.commands(try Capture.sent("01_auth_ok")))
        #expect(link.bytes == (try Capture.received("01_auth_ok")))
        #expect(link.isClosed)
        #expect(connection.isClosed)
    }

    @Test("a wrong password answers -ERR invalid, the notice, and closes (capture 01b)")
    func badPasswordMatchesCapture() throws {
        let (connection, link) = connect(capturedSwitch(), authenticate: false)
        connection.replay(Capture.commands(try Capture.sent("01b_auth_bad_password")))
        #expect(link.bytes == (try Capture.received("01b_auth_bad_password")))
        #expect(link.isClosed)
    }

    @Test("commands before auth answer -ERR command not found; a second auth too (capture 14b)")
    func preauthCommandsMatchCapture() throws {
        let (connection, link) = connect(capturedSwitch(), authenticate: false)
        connection.replay(Capture.commands(try Capture.sent("14b_preauth_commands")))
        #expect(link.bytes == (try Capture.received("14b_preauth_commands")))
    }

    @Test("silence for 25 s after auth/request gets the notice and a close (capture 14c)")
    func authTimeoutMatchesCapture() throws {
        let clock = ManualSimulatorClock()
        let (connection, link) = connect(capturedSwitch(clock: clock), authenticate: false)
        clock.advance(by: .seconds(24))
        #expect(!link.isClosed)
        clock.advance(by: .seconds(1))
        #expect(link.bytes == (try Capture.received("14c_auth_timeout")))
        #expect(link.isClosed)
        #expect(connection.isClosed)
    }

    @Test("any first command disarms the auth deadline; event formats stick (capture 14d)")
    func firstCommandDisarmsDeadline() throws {
        let clock = ManualSimulatorClock()
        let (connection, link) = connect(capturedSwitch(clock: clock), authenticate: false)
        let commands = Capture.commands(try Capture.sent("14d_preauth_no_timeout_after_first_command"))
        connection.replay([commands[0]])
        clock.advance(by: .seconds(32))
        #expect(!link.isClosed)
        connection.replay(Array(commands.dropFirst()))
        #expect(link.bytes == (try Capture.received("14d_preauth_no_timeout_after_first_command")))
    }

    @Test("userauth checks the directory and reports the permissions")
    func userauth() {
        let simulator = capturedSwitch { $0.users = ["1000@example.com": "secret"] }
        let (connection, link) = connect(simulator, authenticate: false)
        link.reset()
        connection.send("userauth 1000@example.com:secret")
        #expect(link.text == """
            Content-Type: command/reply
            Reply-Text: +OK accepted
            Allowed-Events: all
            Allowed-API: all
            Allowed-LOG: true


            """)

        let (rejected, rejectedLink) = connect(simulator, authenticate: false)
        rejectedLink.reset()
        rejected.send("userauth 1000@example.com:wrong")
        #expect(rejectedLink.text.hasPrefix("Content-Type: command/reply\nReply-Text: -ERR invalid\n\nContent-Type: text/disconnect-notice\n"))
        #expect(rejectedLink.isClosed)
    }

    @Test("a closed connection ignores further input and leaves the switch")
    func closedConnectionIsForgotten() {
        let simulator = capturedSwitch()
        let (connection, link) = connect(simulator)
        #expect(simulator.connections.count == 1)
        connection.send("exit")
        link.reset()
        connection.send("api status")
        #expect(link.bytes.isEmpty)
        #expect(simulator.connections.isEmpty)
    }
}
