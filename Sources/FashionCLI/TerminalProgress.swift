import Foundation

/// A progress line on standard error: redrawn in place on a terminal, a plain line every
/// 10 % otherwise (logs, CI).
final class TerminalProgress {
    private let total: Int, label: String
    private let start = Date()
    private let isTerminal = isatty(fileno(stderr)) != 0
    private var lastDecile = -1

    init(total: Int, label: String) { self.total = max(total, 1); self.label = label }

    func update(_ done: Int, detail: String) {
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "%@ %d/%d  %@  ETA %.0fs", label, done, total, detail, eta)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            let decile = done * 10 / total
            if decile != lastDecile { lastDecile = decile; FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
    }

    func finish() { if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
