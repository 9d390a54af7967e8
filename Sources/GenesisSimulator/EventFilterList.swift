/// A connection's ordered filters and FreeSWITCH's verdict over them
/// (ESL.md 2.7): with no filters everything passes; otherwise filters are an
/// allow-list evaluated in order, where a positive match lets the event
/// through and a negative match blocks it outright.
struct EventFilterList {
    private(set) var filters: [EventFilter] = []

    mutating func add(header: String, value: String) {
        filters.append(EventFilter(header: header, value: value))
    }

    /// `filter delete <header> [<value>]`: by header name (any case), and
    /// when a value is given only entries with exactly that value.
    mutating func delete(header: String, value: String?) {
        filters.removeAll { filter in
            filter.header.caseInsensitiveEquals(header) && (value == nil || filter.value == value)
        }
    }

    mutating func deleteAll() {
        filters.removeAll()
    }

    /// With only positive literal filters an event passes exactly when it
    /// carries one of their (header, value) pairs: those are its routes
    /// (``EventBus``). Nil when a filter is negative or a regular
    /// expression, or when there is none, since then any event may pass.
    var routes: [EventRoute]? {
        guard !filters.isEmpty, filters.allSatisfy({ $0.isPositive && !$0.value.hasPrefix("/") }) else { return nil }
        return filters.map { EventRoute(header: $0.header, value: $0.comparand) }
    }

    func passes(_ event: SimulatorEvent) -> Bool {
        guard !filters.isEmpty else { return true }
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
}
