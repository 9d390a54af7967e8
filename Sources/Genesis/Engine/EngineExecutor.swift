import CGenesis

/// The engine's loop thread as a Swift `TaskExecutor`.
///
/// A reply is read on the loop thread; a command awaiting it normally resumes
/// on one of the Swift runtime's threads, which costs a thread wake-up and a
/// context switch per reply. A task that prefers this executor resumes on
/// the loop thread itself, after the read that delivered its reply, and the
/// command it sends next joins the same write as those of every other task
/// resumed by that read. Code run here must never block: the loop's sockets
/// and timers wait while it runs (a task that only yields keeps them waiting
/// too, as jobs queued from the loop thread run before it polls again).
package final class EngineExecutor: TaskExecutor {
    /// Held strongly: a job on its way keeps the engine, and so its loop, alive.
    private let engine: Engine

    package init(engine: Engine) {
        self.engine = engine
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let scheduled = Unmanaged.passRetained(ScheduledJob(job: UnownedJob(job), executor: self)).toOpaque()
        let status = gen_engine_post(engine.raw, { context in
            guard let context else { return }
            let scheduled = Unmanaged<ScheduledJob>.fromOpaque(context).takeRetainedValue()
            scheduled.job.runSynchronously(on: scheduled.executor.asUnownedTaskExecutor())
        }, scheduled)
        guard status != 0 else { return }
        // The engine has stopped: the job must still run somewhere, or its
        // task would never finish.
        let refused = Unmanaged<ScheduledJob>.fromOpaque(scheduled).takeRetainedValue()
        globalConcurrentExecutor.enqueue(ExecutorJob(refused.job))
    }

    /// One job on its way to the loop thread.
    private final class ScheduledJob {
        let job: UnownedJob
        let executor: EngineExecutor

        init(job: UnownedJob, executor: EngineExecutor) {
            self.job = job
            self.executor = executor
        }
    }
}
