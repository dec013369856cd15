import Foundation

/// The one OS thread a connection's blocking libpq calls run on, also usable as a Swift
/// `TaskExecutor`.
///
/// The pool runs a borrower's closure with this executor preferred, so the statements inside it
/// call libpq directly on this thread, with no hop per statement; the cooperative threads never
/// block. Code elsewhere submits blocking work to it and awaits the result.
final class PGConnectionThread: TaskExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case call(() -> Void)
    }

    private let condition = NSCondition()
    private var queue: [Work] = []
    private var stopping = false
    private var finished = false
    private var threadID: pthread_t?

    /// Starts the thread; returns once it runs. The thread keeps this object alive until `stop()`
    /// lets its loop end.
    init(name: String) {
        let thread = Thread { self.loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        condition.lock()
        thread.start()
        while threadID == nil { condition.wait() }
        condition.unlock()
    }

    /// True when called on this thread.
    var isCurrent: Bool {
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Runs Swift jobs of tasks that prefer this executor; after `stop()` they go to the global
    /// executor, so no task is ever stranded.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if finished || stopping {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        queue.append(.job(job))
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` right away when already on this thread, else on it; returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrent { return try body() }
        return try await run(body)
    }

    /// Runs `body` on this thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if finished || stopping {
                condition.unlock()
                continuation.resume(throwing: PGError(.connectionClosed, message: "the connection is closed"))
                return
            }
            queue.append(.call { continuation.resume(with: Result { try body() }) })
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets the thread finish what is queued, then exit.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        threadID = pthread_self()
        condition.broadcast()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping { break }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            for work in batch {
                switch work {
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                case .call(let call): call()
                }
            }
            condition.lock()
        }
        finished = true
        condition.unlock()
    }
}
