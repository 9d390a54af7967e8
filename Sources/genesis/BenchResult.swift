/// One benchmark measurement, printable for people or for scripts.
struct BenchResult {
    var name: String
    var operations: Int
    var seconds: Double
    var extra: [(String, String)] = []

    var perSecond: Double { seconds > 0 ? Double(operations) / seconds : 0 }

    var text: String {
        var line = "\(name): \(operations) in \(format(seconds, 3)) s = \(format(perSecond, 0))/s"
        for (key, value) in extra { line += ", \(key) \(value)" }
        return line
    }

    var json: String {
        var fields = [
            "\"benchmark\":\(EventJSON.quoted(name))",
            "\"operations\":\(operations)",
            "\"seconds\":\(format(seconds, 6))",
            "\"per_second\":\(format(perSecond, 0))",
        ]
        for (key, value) in extra { fields.append("\(EventJSON.quoted(key)):\(value)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return decimals == 0 ? String(Int64(rounded)) : String(rounded)
    }
}
