import Foundation

/// A thread that stands for an ESL client's I/O loop with the I/O taken out:
/// it resumes the continuations tasks park with it (as a read resumes the
/// commands its replies answer) and, as a `TaskExecutor`, runs the jobs of
/// tasks that prefer it (as `InboundClient.ioExecutor` runs them on the
/// engine's loop thread).
///
/// `@unchecked Sendable`: `waiting`, `jobs` and `stopped` are only read or
/// written with `condition` locked, and the thread's loop takes both queues
/// whole under that lock before working on them outside it.
final class ResumingThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [UnsafeContinuation<Void, Never>] = []
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        let thread = Thread { [unowned self] in self.run() }
        thread.start()
    }

    /// Parks the calling task until the thread resumes it: one round trip.
    /// With `cancellable`, inside a cancellation handler, as a command that
    /// can be cancelled while it waits for its reply.
    nonisolated(nonsending) func roundTrip(cancellable: Bool) async {
        if cancellable {
            await withTaskCancellationHandler {
                await withUnsafeContinuation { park($0) }
            } onCancel: {}
        } else {
            await withUnsafeContinuation { park($0) }
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func park(_ continuation: UnsafeContinuation<Void, Never>) {
        condition.lock()
        waiting.append(continuation)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var resuming: [UnsafeContinuation<Void, Never>] = []
        var running: [UnownedJob] = []
        while true {
            condition.lock()
            while waiting.isEmpty, jobs.isEmpty, !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                return
            }
            swap(&resuming, &waiting)
            swap(&running, &jobs)
            condition.unlock()
            for continuation in resuming { continuation.resume() }
            for job in running { job.runSynchronously(on: asUnownedTaskExecutor()) }
            resuming.removeAll(keepingCapacity: true)
            running.removeAll(keepingCapacity: true)
        }
    }
}
