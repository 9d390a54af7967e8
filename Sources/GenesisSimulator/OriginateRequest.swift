/// A parsed `originate` command line (MC:originate_function, ESL.md 6.1/6.2):
/// the groups to try in order (`|`), the legs of each group rung at once
/// (`,`), the variables that apply to them, and what the answered leg runs.
struct OriginateRequest {
    struct Leg {
        var endpoint: String
        var variables: [(String, String)]
    }

    /// `|` groups in failover order, each with its simultaneous `,` legs.
    var groups: [[Leg]] = []
    /// The first leg of each group.
    var legs: [Leg] { groups.compactMap(\.first) }
    /// `&app(arg)` steps, or nil for the extension form.
    var application: [DialplanStep]?
    var extensionNumber: String?
    var context = "default"
    var callerIDName: String?
    var callerIDNumber: String?
    var timeoutSeconds = 60

    static let usage = "-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n"

    /// nil means the usage text applies.
    init?(arguments: String) {
        let words = Self.splitArguments(arguments)
        guard (2...7).contains(words.count) else { return nil }
        func word(_ index: Int) -> String? {
            index < words.count && words[index] != "undef" && !words[index].isEmpty ? words[index] : nil
        }
        let target = words[1]
        if target.hasPrefix("&") {
            var text = target.dropFirst()
            var argument = ""
            if let open = text.firstIndex(of: "(") {
                let inner = text[text.index(after: open)...]
                argument = String(inner.prefix { $0 != ")" })
                text = text[..<open]
            }
            application = [DialplanStep(String(text), argument)]
        } else {
            extensionNumber = target
        }
        context = word(3) ?? "default"
        callerIDName = word(4)
        callerIDNumber = word(5)
        if let seconds = word(6).flatMap(Int.init), seconds > 0 { timeoutSeconds = seconds }
        groups = Self.parseDialString(words[0])
        if let value = legs.first?.variables.last(where: { $0.0 == "originate_timeout" })?.1,
           let seconds = Int(value), seconds > 0 {
            timeoutSeconds = seconds
        }
    }

    /// SU:switch_separate_string: spaces split, single quotes group (and are
    /// removed), backslash escapes the next character.
    static func splitArguments(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var started = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
                current.append(character)
            } else if character == "'" {
                quoted.toggle()
                started = true
            } else if character == " " && !quoted {
                if started || !current.isEmpty { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
            }
        }
        if started || !current.isEmpty { words.append(current) }
        return words
    }

    /// `{global vars}[leg vars]endpoint,[leg vars]endpoint|...`: the `|`
    /// groups, each with its `,` legs.
    static func parseDialString(_ text: String) -> [[Leg]] {
        var rest = Substring(text)
        var global: [(String, String)] = []
        while rest.first == "{" || rest.first == "<", let close = rest.firstIndex(of: rest.first == "{" ? "}" : ">") {
            global += parseVariables(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        return splitOutsideBrackets(rest, separator: "|").compactMap { group in
            let legs = splitOutsideBrackets(group, separator: ",").compactMap { text -> Leg? in
                var leg = text
                var variables = global
                while leg.first == "[", let close = leg.firstIndex(of: "]") {
                    variables += parseVariables(leg[leg.index(after: leg.startIndex)..<close])
                    leg = leg[leg.index(after: close)...]
                }
                return leg.isEmpty ? nil : Leg(endpoint: String(leg), variables: variables)
            }
            return legs.isEmpty ? nil : legs
        }
    }

    /// `a=1,b=2` with `\,` for a literal comma and `^^<delim>` to change it.
    static func parseVariables(_ text: Substring) -> [(String, String)] {
        var body = text
        var delimiter: Character = ","
        if body.hasPrefix("^^"), body.count > 2 {
            delimiter = body[body.index(body.startIndex, offsetBy: 2)]
            body = body.dropFirst(3)
        }
        var pairs: [String] = []
        var current = ""
        var escaped = false
        var quoted = false
        for character in body {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "'" { quoted.toggle(); continue }
            if character == delimiter && !quoted { pairs.append(current); current = ""; continue }
            current.append(character)
        }
        pairs.append(current)
        return pairs.compactMap { pair in
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }

    private static func splitOutsideBrackets(_ text: Substring, separator: Character) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "[" || character == "{" { depth += 1 }
            if character == "]" || character == "}" { depth -= 1 }
            if character == separator && depth == 0 {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start...])
        return parts
    }
}
