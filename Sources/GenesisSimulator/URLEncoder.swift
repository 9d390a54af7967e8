import CGenesis

/// FreeSWITCH's header-value encoding (SU:switch_url_encode_opt) for plain
/// event headers and XML header texts, done by the engine's
/// `gen_url_encode` so the simulator and the client share one
/// implementation of the rule: bytes below 0x20 or above 0x7E and
/// SWITCH_URL_UNSAFE become uppercase `%XX`, and a `%` already followed by
/// two uppercase hex digits is copied as is.
enum URLEncoder {
    static func append(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { source in
            guard !source.isEmpty else { return }
            // Every byte encodes to at most three, so the call cannot fail.
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: source.count * 3) { buffer in
                let written = source.withMemoryRebound(to: CChar.self) { source in
                    gen_url_encode(source.baseAddress, source.count, buffer.baseAddress, buffer.count)
                }
                output.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(max(0, written))))
            }
        }
    }
}
