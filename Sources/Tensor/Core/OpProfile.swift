import Dispatch

/// Wall time per operation of the autograd graph, while switched on with ``measure(_:)``
/// (`fashion bench step`). An op's forward time is the time since the previous recorded op
/// (or ``mark()``): ops run one after another and each records itself when its output is
/// ready, so the interval is that op's work. Its backward time is the time of its backward
/// closure; summing gradients into a tensor that several ops used counts as
/// `accumulate gradient`. Ops are keyed by name and detail (a convolution's kernel, stride,
/// channels and input size; otherwise the output's shape without the batch).
///
/// Off (the default) it costs one task-local read per recorded op. It counts the ops of the
/// task that called ``measure(_:)`` only (a class, not thread-safe: one task uses it).
public final class OpProfile {
    /// Time and calls of one key.
    public struct Entry: Sendable, Codable {
        /// Seconds in forward passes.
        public var forwardSeconds = 0.0
        /// Seconds in backward closures.
        public var backwardSeconds = 0.0
        /// Forward calls.
        public var calls = 0
        /// Forward plus backward.
        public var totalSeconds: Double { forwardSeconds + backwardSeconds }
        /// No time, no calls.
        /// An empty profile; it records inside ``measure(_:)``.
    public init() {}
    }

    /// The profile recording on this task (task-local, like ``GradMode``: other threads' graphs are not counted).
    @TaskLocal static var active: OpProfile?

    /// Every key seen, with its time.
    public private(set) var entries: [String: Entry] = [:]
    /// Keys in the order first seen (the network's order in a forward pass).
    public private(set) var order: [String] = []
    private var last: UInt64 = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Runs `body` with this profile recording on the current task (an enclosing one resumes after).
    public func measure<R>(_ body: () throws -> R) rethrows -> R {
        try Self.$active.withValue(self) {
            mark()
            return try body()
        }
    }

    /// Starts the next forward interval now (call before a forward pass, so that the time
    /// before it is not charged to its first op).
    public func mark() { last = DispatchTime.now().uptimeNanoseconds }

    /// Adds `seconds` to `key` by hand (an optimiser step, zeroing gradients).
    public func add(_ key: String, forward seconds: Double) {
        update(key) { $0.forwardSeconds += seconds; $0.calls += 1 }
    }

    private func update(_ key: String, _ change: (inout Entry) -> Void) {
        if entries[key] == nil { order.append(key) }
        change(&entries[key, default: Entry()])
    }

    /// An op finished its forward: the time since the last mark is its own.
    func forwardFinished(_ key: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now &- last) / 1e9
        update(key) { $0.forwardSeconds += seconds; $0.calls += 1 }
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Times one backward closure (or gradient sum) under `key`.
    func backward<R>(_ key: String, _ body: () -> R) -> R {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- t0) / 1e9
        update(key) { $0.backwardSeconds += seconds }
        return r
    }

    /// The key of an op: its name, then `detail` or, when that is empty, the output's shape
    /// without the batch dimension.
    static func key(_ name: String, detail: String, shape: [Int]) -> String {
        if !detail.isEmpty { return "\(name) \(detail)" }
        return shape.count > 1 ? "\(name) \(shape.dropFirst().map(String.init).joined(separator: "×"))" : name
    }
}
