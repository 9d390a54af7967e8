import CGenesis

/// The C engine: one libuv loop on its own thread that does all socket I/O.
///
/// Every connection, listener and timer of the library runs on an engine.
/// `Engine.shared` is started on first use and lives as long as the process,
/// which is what almost every application wants; tests and benchmarks that
/// need isolation create their own.
package final class Engine: Sendable {
    /// The process-wide engine.
    package static let shared: Engine = {
        do {
            return try Engine()
        } catch {
            fatalError("Genesis could not start its I/O engine: \(error)")
        }
    }()

    // The pointer never changes after init and every gen_engine_* function
    // is documented thread-safe, so sharing it is sound.
    package nonisolated(unsafe) let raw: OpaquePointer

    package init() throws(ESLError) {
        var engine: OpaquePointer?
        let status = gen_engine_create(&engine)
        guard status == 0, let engine else {
            throw ESLError.engineFailure(code: Int(status), message: String(cString: gen_strerror(status)))
        }
        raw = engine
    }

    deinit {
        gen_engine_destroy(raw)
    }

    /// True on the engine's loop thread (where transport callbacks run).
    package var isOnLoopThread: Bool { gen_engine_on_loop_thread(raw) != 0 }
}
