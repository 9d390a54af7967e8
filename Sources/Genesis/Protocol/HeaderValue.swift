import CGenesis

/// Decodes a header value found by the C engine according to where it stood:
/// %XX in plain and XML events, JSON escapes in JSON events, nothing in the
/// outer envelope. Decoding happens here, lazily, only for values read.
enum HeaderValue {
    /// The value's elements: one for an ordinary value, several for a
    /// multi-valued one (`ARRAY::a|:b` in plain, a JSON array in JSON).
    static func elements(_ header: gen_header, in slab: Slab) -> [String] {
        switch gen_value_encoding(rawValue: header.encoding) {
        case GEN_VALUE_JSON_ARRAY:
            var elements: [String] = []
            var cursor: UInt32 = 0
            var element = gen_span()
            while gen_json_array_next(slab.base, header.value, &cursor, &element) == 1 {
                elements.append(json(element, in: slab))
            }
            return elements
        default:
            let value = single(header, in: slab)
            return value.hasPrefix("ARRAY::") ? splitArray(value) : [value]
        }
    }

    /// The value as one string; for a multi-valued value, its first element.
    static func first(_ header: gen_header, in slab: Slab) -> String {
        switch gen_value_encoding(rawValue: header.encoding) {
        case GEN_VALUE_JSON_ARRAY:
            return elements(header, in: slab).first ?? ""
        default:
            let value = single(header, in: slab)
            return value.hasPrefix("ARRAY::") ? (splitArray(value).first ?? "") : value
        }
    }

    private static func single(_ header: gen_header, in slab: Slab) -> String {
        switch gen_value_encoding(rawValue: header.encoding) {
        case GEN_VALUE_URL: url(header.value, in: slab)
        case GEN_VALUE_JSON: json(header.value, in: slab)
        default: slab.string(header.value)
        }
    }

    static func url(_ span: gen_span, in slab: Slab) -> String {
        let raw = slab.bytes(span)
        guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self),
              gen_url_needs_decode(base, raw.count) != 0
        else { return String(decoding: raw, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: raw.count) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gen_url_decode(base, raw.count, $0.baseAddress) }
        }
    }

    static func json(_ span: gen_span, in slab: Slab) -> String {
        let raw = slab.bytes(span)
        guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return "" }
        if !raw.contains(UInt8(ascii: "\\")) {
            return String(decoding: raw, as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: raw.count) { buffer in
            let length = buffer.withMemoryRebound(to: CChar.self) {
                gen_json_unescape(base, raw.count, $0.baseAddress)
            }
            return max(0, Int(length))
        }
    }

    static func xml(_ span: gen_span, in slab: Slab) -> String {
        let raw = slab.bytes(span)
        guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return "" }
        if !raw.contains(UInt8(ascii: "&")) {
            return String(decoding: raw, as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: raw.count) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gen_xml_unescape(base, raw.count, $0.baseAddress) }
        }
    }

    /// FreeSWITCH writes a multi-valued header as `ARRAY::v1|:v2` (after decoding).
    static func splitArray(_ value: String) -> [String] {
        var elements: [String] = []
        var rest = value.utf8.dropFirst(7)
        while let separator = rest.firstRange(of: "|:".utf8) {
            elements.append(String(Substring(rest[..<separator.lowerBound])))
            rest = rest[separator.upperBound...]
        }
        elements.append(String(Substring(rest)))
        return elements
    }
}
