#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EndpointDirectory {
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, errno: Int32)
        case invalid(path: String, ParseError)

        public var description: String {
            switch self {
            case .unreadable(let path, let code):
                return "cannot read \(path): \(String(cString: strerror(code)))"
            case .invalid(let path, .invalidLine(let number, let text)):
                return "\(path):\(number): not a directory entry: \(text)"
            }
        }
    }

    /// Reads a directory file (the format of ``parse(_:)``), as
    /// `genesis simulate --directory FILE` does; `seed` seeds its random
    /// endpoints.
    public static func load(path: String, seed: UInt64 = 1) throws(LoadError) -> EndpointDirectory {
        guard let handle = fopen(path, "rb") else { throw .unreadable(path: path, errno: errno) }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = fread(&buffer, 1, buffer.count, handle)
            if count > 0 { bytes.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count {
                if ferror(handle) != 0 { throw .unreadable(path: path, errno: errno) }
                break
            }
        }
        do {
            var directory = try parse(String(decoding: bytes, as: UTF8.self))
            directory.seed = seed
            return directory
        } catch {
            throw .invalid(path: path, error)
        }
    }
}
