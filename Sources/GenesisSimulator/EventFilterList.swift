/// A connection's ordered filters and FreeSWITCH's verdict over them
/// (ESL.md 2.7): with no filters everything passes; otherwise filters are an
/// allow-list evaluated in order, where a positive match lets the event
/// through and a negative match blocks it outright.
struct EventFilterList {
    private(set) var filters: [EventFilter] = []
    /// Positive literal filters (`filter Unique-ID <uuid>`, the common
    /// case) by header name, then ASCII-lower-cased value, with how many
    /// filters give that pair. Without negative filters order does not
    /// matter and the verdict is "the event carries one of these pairs, or
    /// matches one of ``patterns``": one header lookup per header name
    /// instead of one per filter. With thousands of channel filters the
    /// per-filter scan made every event cost thousands of header scans
    /// (FreeSWITCH's own loop compares header hashes, far cheaper).
    private var literals: [String: [String: Int]] = [:]
    /// Positive regular expression filters.
    private var patterns: [EventFilter] = []
    /// Negative filters: while there is one, the verdict takes the ordered loop.
    private var negatives = 0
    /// Changes with every add or delete, so a caller can tell cheaply
    /// whether ``routes`` may differ from the last time it looked.
    private(set) var revision = 0

    mutating func add(header: String, value: String) {
        let filter = EventFilter(header: header, value: value)
        filters.append(filter)
        count(filter, by: 1)
    }

    /// `filter delete <header> [<value>]`: by header name (any case), and
    /// when a value is given only entries with exactly that value.
    mutating func delete(header: String, value: String?) {
        var removed: [EventFilter] = []
        filters.removeAll { filter in
            guard filter.header.caseInsensitiveEquals(header) && (value == nil || filter.value == value) else { return false }
            removed.append(filter)
            return true
        }
        for filter in removed { count(filter, by: -1) }
    }

    mutating func deleteAll() {
        filters.removeAll()
        literals.removeAll()
        patterns.removeAll()
        negatives = 0
        revision &+= 1
    }

    /// With only positive literal filters an event passes exactly when it
    /// carries one of their (header, value) pairs: those are its routes
    /// (``EventBus``). Nil when a filter is negative or a regular
    /// expression, or when there is none, since then any event may pass.
    var routes: [EventRoute]? {
        guard !filters.isEmpty, negatives == 0, patterns.isEmpty else { return nil }
        return filters.map { EventRoute(header: $0.header, value: $0.comparand) }
    }

    func passes(_ event: SimulatorEvent) -> Bool {
        guard !filters.isEmpty else { return true }
        if negatives == 0 {
            // The loop below without negative filters: some positive filter
            // matches, in whatever order.
            for (header, values) in literals {
                if let headerValue = event.header(header), values[headerValue.asciiLowercased()] != nil { return true }
            }
            return patterns.contains { filter in event.header(filter.header).map(filter.matches) ?? false }
        }
        var send = false
        for filter in filters {
            guard let headerValue = event.header(filter.header) else { continue }
            if send && filter.isPositive { continue }
            guard filter.matches(headerValue) else { continue }
            if filter.isPositive {
                send = true
            } else {
                return false
            }
        }
        return send
    }

    /// Counts `filter` in (`change` 1) or out (-1) of the indexes.
    private mutating func count(_ filter: EventFilter, by change: Int) {
        revision &+= 1
        guard filter.isPositive else {
            negatives += change
            return
        }
        guard !filter.value.hasPrefix("/") else {
            if change > 0 {
                patterns.append(filter)
            } else if let index = patterns.firstIndex(where: { $0.header == filter.header && $0.value == filter.value }) {
                patterns.remove(at: index)
            }
            return
        }
        let value = filter.comparand.asciiLowercased()
        let total = (literals[filter.header]?[value] ?? 0) + change
        literals[filter.header, default: [:]][value] = total > 0 ? total : nil
        if literals[filter.header]?.isEmpty == true { literals[filter.header] = nil }
    }
}
