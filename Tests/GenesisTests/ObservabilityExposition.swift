import Genesis

/// Reads samples back out of the Prometheus text the registry renders.
struct ObservabilityExposition {
    let text: String

    init(_ text: String = GenesisMetrics.exposition()) {
        self.text = text
    }

    /// The value of the sample `name{labels}` (labels exactly as rendered,
    /// without braces; empty for none).
    func value(_ name: String, _ labels: String = "") -> Double? {
        let prefix = labels.isEmpty ? name + " " : "\(name){\(labels)} "
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count))
        }
        return nil
    }

    func contains(_ fragment: String) -> Bool { text.contains(fragment) }
}
