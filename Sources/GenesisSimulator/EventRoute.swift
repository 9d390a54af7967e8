/// One (header, value) pair an event must carry for a subscriber to be
/// worth asking: both ASCII-lowercased, as FreeSWITCH compares them.
struct EventRoute: Hashable {
    let header: String
    let value: String

    init(header: String, value: String) {
        self.header = header.asciiLowercased()
        self.value = value.asciiLowercased()
    }
}

extension String {
    func asciiLowercased() -> String {
        guard utf8.contains(where: { $0 >= 65 && $0 <= 90 }) else { return self }
        return String(decoding: utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
