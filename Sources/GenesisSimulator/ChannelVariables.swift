/// A channel's variables in the order they were first set, as FreeSWITCH's
/// variable event keeps them (`variable_*` headers appear in that order).
struct ChannelVariables {
    private(set) var entries: [(name: String, value: SimulatorEventHeader.Value)] = []

    subscript(name: String) -> String? {
        get {
            guard let entry = entries.first(where: { $0.name == name }) else { return nil }
            switch entry.value {
            case .single(let text): return text
            case .array(let values): return values.first
            }
        }
        set {
            guard let newValue, !newValue.isEmpty else {
                entries.removeAll { $0.name == name }
                return
            }
            if let index = entries.firstIndex(where: { $0.name == name }) {
                entries[index].value = .single(newValue)
            } else {
                entries.append((name, .single(newValue)))
            }
        }
    }

    mutating func setArray(_ name: String, _ values: [String]) {
        entries.removeAll { $0.name == name }
        entries.append((name, .array(values)))
    }

    func append(to event: inout SimulatorEvent) {
        for entry in entries {
            switch entry.value {
            case .single(let text): event.append("variable_" + entry.name, text)
            case .array(let values): event.headers.append(SimulatorEventHeader("variable_" + entry.name, values: values))
            }
        }
    }
}
