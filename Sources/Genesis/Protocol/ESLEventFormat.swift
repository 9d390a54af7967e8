/// The serialization FreeSWITCH uses for events on a connection
/// (`event plain|json|xml …`).
public enum ESLEventFormat: String, Sendable, CaseIterable {
    case plain
    case json
    case xml
}
