import Genesis

/// Random version 4 UUIDs in FreeSWITCH's lowercase form (Core-UUID,
/// Job-UUID, Event-UUID, `create_uuid`). Wraps the library's generator so the
/// simulator and the client agree on one implementation.
public enum UUIDFactory {
    public static func make() -> String {
        UUIDGenerator.next()
    }
}
