import Foundation

/// A thread-safe counter for progress from worker threads.
final class ProgressCounter: @unchecked Sendable {
    private var value: Int
    private let lock = NSLock()
    init(start: Int = 0) { value = start }
    func increment() -> Int { add(1) }
    func add(_ n: Int) -> Int { lock.lock(); defer { lock.unlock() }; value += n; return value }
}
