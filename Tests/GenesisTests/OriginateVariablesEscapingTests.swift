@testable import Genesis
import Testing

/// Cases the originate fuzzer (Tests/Fuzz/fuzz_originate.swift) found:
/// escaping must look at Unicode scalars, as FreeSWITCH looks at bytes.
@Suite struct OriginateVariablesEscapingTests {
    @Test func aCRLFGraphemeIsStillALineBreak() {
        #expect(throws: ChannelError.self) { try OriginateVariables.escaped("a\r\nb") }
    }

    @Test func aCommaOrBraceWithACombiningMarkIsStillEscapedOrRefused() throws {
        #expect(try OriginateVariables.escaped(",\u{301}") == "\\,\u{301}")
        #expect(throws: ChannelError.self) { try OriginateVariables.escaped("}\u{301}") }
        #expect(try OriginateVariables.escaped("x \u{301}") == "'x \u{301}'")
    }
}
