#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says this process holds: open file descriptors, resident
/// memory and threads. The soak compares them before and after its work.
struct ProcessResources: Sendable, CustomStringConvertible {
    let openFileDescriptors: Int
    let residentBytes: Int
    let threads: Int

    /// Reads /proc/self (Linux only: the soak runs on the CI's Linux).
    static func current() -> ProcessResources {
        ProcessResources(
            openFileDescriptors: countEntries(of: "/proc/self/fd"), residentBytes: residentBytes(),
            threads: countEntries(of: "/proc/self/task"))
    }

    /// Gives freed heap pages back to the kernel first, so that resident
    /// memory reflects what is live rather than what malloc keeps cached.
    static func currentAfterTrimming() -> ProcessResources {
        // malloc_trim is glibc's and not in Swift's Glibc module: looked up.
        if let symbol = dlsym(nil, "malloc_trim") {
            typealias MallocTrim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
        return current()
    }

    var description: String {
        "fds \(openFileDescriptors), rss \(residentBytes / 1024) KiB, threads \(threads)"
    }

    /// Entries of a /proc directory, without "." and ".." (and without the
    /// descriptor opendir itself holds, for /proc/self/fd).
    private static func countEntries(of path: String) -> Int {
        guard let directory = opendir(path) else { return -1 }
        let own = dirfd(directory)
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." || name == String(own) { continue }
            count += 1
        }
        closedir(directory)
        return count
    }

    /// The second field of /proc/self/statm (resident pages), in bytes.
    private static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return -1 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return -1 }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return -1 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
