import Genesis

/// Serializes events exactly as FreeSWITCH writes them to an event socket:
/// the outer envelope (`Content-Length` first, then `Content-Type`) around a
/// plain (SE:switch_event_serialize), JSON (cJSON unformatted) or XML
/// (SE:switch_event_xmlize + SX:switch_xml_toxml) body.
public enum EventRenderer {
    /// The complete frame for `event` in `format`, ready for the wire.
    public static func frame(_ event: SimulatorEvent, format: ESLEventFormat) -> [UInt8] {
        let body: [UInt8]
        switch format {
        case .plain: body = plain(event)
        case .json: body = json(event)
        case .xml: body = xml(event)
        }
        var frame: [UInt8] = []
        frame.reserveCapacity(body.count + 64)
        frame.append(contentsOf: "Content-Length: \(body.count)\nContent-Type: text/event-\(format.rawValue)\n\n".utf8)
        frame.append(contentsOf: body)
        return frame
    }

    /// `Name: value` lines with URL-encoded values; a non-empty body gets a
    /// last `Content-Length` line, the blank line and the raw body, otherwise
    /// the block just ends with its blank line.
    static func plain(_ event: SimulatorEvent) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(event.headers.count * 48 + (event.body?.count ?? 0))
        for header in event.headers {
            output.append(contentsOf: header.name.utf8)
            output.append(contentsOf: ": ".utf8)
            let value: String
            switch header.value {
            case .single(let text): value = text
            case .array(let values) where values.count == 1: value = values[0]
            case .array(let values): value = "ARRAY::" + values.joined(separator: "|:")
            }
            // FreeSWITCH never stores an empty value; an injected one is
            // written the way its serializer writes an empty encoding.
            if value.isEmpty {
                output.append(contentsOf: "_undef_".utf8)
            } else {
                URLEncoder.append(value, to: &output)
            }
            output.append(0x0A)
        }
        if let body = event.body, !body.isEmpty {
            output.append(contentsOf: "Content-Length: \(body.count)\n\n".utf8)
            output.append(contentsOf: body)
        } else {
            output.append(0x0A)
        }
        return output
    }

    /// One JSON object on one line, no trailing LF; values raw (JSON-escaped),
    /// multi-valued headers as arrays, duplicate names kept as duplicate keys;
    /// any body (even empty) appends `Content-Length` and `_body`.
    static func json(_ event: SimulatorEvent) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func member(_ name: String, _ value: SimulatorEventHeader.Value) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            appendJSONString(name, to: &output)
            output.append(UInt8(ascii: ":"))
            switch value {
            case .single(let text):
                appendJSONString(text, to: &output)
            case .array(let values):
                output.append(UInt8(ascii: "["))
                for (index, text) in values.enumerated() {
                    if index > 0 { output.append(UInt8(ascii: ",")) }
                    appendJSONString(text, to: &output)
                }
                output.append(UInt8(ascii: "]"))
            }
        }
        for header in event.headers {
            member(header.name, header.value)
        }
        if let body = event.body {
            member("Content-Length", .single(String(body.count)))
            member("_body", .single(String(decoding: body, as: UTF8.self)))
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// `<event>` with two-space indentation, URL-encoded header texts, and
    /// (only for a non-empty body) `<Content-Length>` and an XML-escaped
    /// `<body>`. SX indents a closing tag that follows a LF, so a body ending
    /// in LF reads `…\n  </body>`.
    static func xml(_ event: SimulatorEvent) -> [UInt8] {
        var output: [UInt8] = []
        output.append(contentsOf: "<event>\n  <headers>\n".utf8)
        for header in event.headers {
            let values: [String]
            switch header.value {
            case .single(let text): values = [text]
            case .array(let texts): values = texts
            }
            for value in values {
                output.append(contentsOf: "    <\(header.name)>".utf8)
                URLEncoder.append(value, to: &output)
                output.append(contentsOf: "</\(header.name)>\n".utf8)
            }
        }
        output.append(contentsOf: "  </headers>\n".utf8)
        if let body = event.body, !body.isEmpty {
            output.append(contentsOf: "  <Content-Length>\(body.count)</Content-Length>\n  <body>".utf8)
            appendXMLText(body, to: &output)
            if body.last == 0x0A { output.append(contentsOf: "  ".utf8) }
            output.append(contentsOf: "</body>\n".utf8)
        }
        output.append(contentsOf: "</event>\n".utf8)
        return output
    }

    /// cJSON's print_string_ptr: `"`, `\` and control characters escaped
    /// (`\u00xx` for those without a short form), everything else raw.
    private static func appendJSONString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case ..<0x20:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(lowerHex[Int(byte >> 4)])
                output.append(lowerHex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// SX:switch_xml_ampencode for element text: `&`, `<`, `>` as entities,
    /// CR as `&#xD;`, non-ASCII characters as `&#xHEX;`; LF, TAB and `"`
    /// stay literal.
    private static func appendXMLText(_ bytes: [UInt8], to output: inout [UInt8]) {
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "&": output.append(contentsOf: "&amp;".utf8)
            case "<": output.append(contentsOf: "&lt;".utf8)
            case ">": output.append(contentsOf: "&gt;".utf8)
            case "\r": output.append(contentsOf: "&#xD;".utf8)
            default:
                if scalar.value < 0x80 {
                    output.append(UInt8(scalar.value))
                } else {
                    output.append(contentsOf: "&#x\(String(scalar.value, radix: 16, uppercase: true));".utf8)
                }
            }
        }
    }

    private static let lowerHex = Array("0123456789abcdef".utf8)
}
