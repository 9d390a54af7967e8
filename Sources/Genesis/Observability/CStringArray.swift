#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands a list of Swift strings to C as `const char *const *`, for the
/// registry's (rare) registration and resolution calls.
enum CStringArray {
    static func with<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let constants = copies.map { UnsafePointer($0) }
        return constants.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
