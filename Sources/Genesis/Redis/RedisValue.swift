import CGenesis

/// A Redis reply. Bulk strings are bytes (Redis is binary-safe); error
/// replies never appear here, they are thrown as `RedisError.serverError`.
public enum RedisValue: Sendable, Equatable {
    case bulk([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisValue])
    case null

    /// A bulk or status reply as UTF-8 text.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// An integer reply, or a bulk string holding a decimal integer.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// Reads a `gen_redis_reply` (valid only during its callback) into a
    /// value, or the server error it carries.
    static func read(_ reply: OpaquePointer) -> Result<RedisValue, RedisError> {
        switch Int32(gen_redis_reply_type(reply)) {
        case Int32(GEN_REDIS_REPLY_STRING.rawValue): return .success(.bulk(bytes(of: reply)))
        case Int32(GEN_REDIS_REPLY_STATUS.rawValue):
            return .success(.status(String(decoding: bytes(of: reply), as: UTF8.self)))
        case Int32(GEN_REDIS_REPLY_INTEGER.rawValue): return .success(.integer(gen_redis_reply_integer(reply)))
        case Int32(GEN_REDIS_REPLY_ERROR.rawValue):
            return .failure(.serverError(message: String(decoding: bytes(of: reply), as: UTF8.self)))
        case Int32(GEN_REDIS_REPLY_ARRAY.rawValue):
            var values: [RedisValue] = []
            let count = gen_redis_reply_count(reply)
            values.reserveCapacity(count)
            for index in 0..<count {
                guard let element = gen_redis_reply_element(reply, index) else { continue }
                // An error nested in an array (EXEC) stays a value-level failure.
                switch read(element) {
                case .success(let value): values.append(value)
                case .failure(let error): return .failure(error)
                }
            }
            return .success(.array(values))
        default: return .success(.null)
        }
    }

    private static func bytes(of reply: OpaquePointer) -> [UInt8] {
        var length = 0
        guard let pointer = gen_redis_reply_string(reply, &length), length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }
}
