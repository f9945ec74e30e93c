import Foundation

/// A progress line on standard error: redrawn in place on a terminal (at most 10 times a
/// second), a plain line every 10 % otherwise (logs, CI). Safe to call from worker threads.
final class TerminalProgress: @unchecked Sendable {
    private var total: Int
    private let label: String
    private let start = Date()
    private let isTerminal = isatty(fileno(stderr)) != 0
    private var lastDecile = -1
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    init(total: Int, label: String) { self.total = max(total, 1); self.label = label }

    func update(_ done: Int, of newTotal: Int? = nil, detail: String = "") {
        lock.lock(); defer { lock.unlock() }
        if let newTotal { total = max(newTotal, 1) }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(max(0, total - done)) : 0
        let line = String(format: rate < 10 ? "%@ %d/%d  %.2f/s  %@  ETA %.0fs" : "%@ %d/%d  %.0f/s  %@  ETA %.0fs",
                          label, done, total, rate, detail, eta)
        if isTerminal {
            guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            let decile = min(10, done * 10 / total)
            if decile != lastDecile { lastDecile = decile; FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
    }

    func finish() { if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
