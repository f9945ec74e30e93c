import Foundation
import Models

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
        guard !TerminalOutput.quiet else { return }
        if let newTotal { total = max(newTotal, 1) }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        // No rate or ETA from the first fraction of a second (one quick update would claim millions a second).
        let measured = elapsed >= 0.5 && done > 0
        let rate = measured ? Double(done) / elapsed : 0
        let eta = measured ? elapsed / Double(done) * Double(max(0, total - done)) : 0
        let speed = measured ? String(format: rate < 10 ? "%.2f/s" : "%.0f/s", rate) : "–/s"
        let line = String(format: "%@ %d/%d  %@  %@  ETA %@", label, done, total, speed, detail,
                          measured ? String(format: "%.0fs", eta) : "–")
        if isTerminal {
            guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else {
            let decile = min(10, done * 10 / total)
            if decile != lastDecile { lastDecile = decile; FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }
    }

    func finish() { if isTerminal, !TerminalOutput.quiet { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// A training run's progress: a line per epoch's batches (loss, accuracy, speed, the epoch's
/// and the whole run's ETA), one for its validation pass, and the epoch summary `summary`
/// prints when the epoch ends.
final class TrainingProgress {
    private let totalEpochs: Int, epochsThisRun: Int?, validationName: String
    /// Examples in a validation pass (known once the data is ready).
    var validationExamples: Int
    private let summary: (EpochRecord) -> String
    private var bar: TerminalProgress?, validationBar: TerminalProgress?
    private var firstEpoch: Int?
    private let started = Date()

    init(totalEpochs: Int, epochsThisRun: Int?, validationExamples: Int, validationName: String = "validation",
         summary: @escaping (EpochRecord) -> String) {
        self.totalEpochs = totalEpochs; self.epochsThisRun = epochsThisRun
        self.validationExamples = validationExamples; self.validationName = validationName; self.summary = summary
    }

    /// Seconds left in this invocation's epochs, from the share of their batches done so far.
    private func runETA(epoch: Int, fraction: Double) -> Double {
        let first = firstEpoch ?? epoch
        let end = min(totalEpochs, first + (epochsThisRun ?? totalEpochs))
        let done = Double(epoch - first) + fraction, all = Double(max(1, end - first))
        let elapsed = Date().timeIntervalSince(started)
        return done > 0 ? elapsed / done * max(0, all - done) : 0
    }

    func handle(_ event: TrainerEvent, folder: String) {
        switch event {
        case .resumed(let n): print("resuming \(folder) after epoch \(n)")
        case .batch(let epoch, let index, let count, let s):
            if firstEpoch == nil { firstEpoch = epoch }
            if index == 0 {
                bar = TerminalProgress(total: count, label: "epoch \(epoch + 1)/\(totalEpochs)")
                Interruption.set("interrupted in epoch \(epoch + 1) of \(totalEpochs); "
                                 + (epoch == 1 ? "epoch 1 is saved in \(folder): " : epoch > 1 ? "epochs 1–\(epoch) are saved in \(folder): " : "")
                                 + "rerun the same command to resume from epoch \(epoch + 1)")
            }
            let eta = runETA(epoch: epoch, fraction: Double(index + 1) / Double(max(count, 1)))
            bar?.update(index + 1, detail: String(format: "loss %.3f  acc %.1f%%  %.0f img/s  run ETA %@", s.loss, 100 * s.accuracy,
                                                  s.imagesPerSecond, Self.duration(eta)))
        case .validating(let epoch, let examples):
            if validationBar == nil {
                bar?.finish(); bar = nil
                validationBar = TerminalProgress(total: validationExamples, label: "epoch \(epoch + 1)/\(totalEpochs) \(validationName)")
            }
            validationBar?.update(examples)
        case .epoch(let r):
            bar?.finish(); bar = nil
            validationBar?.finish(); validationBar = nil
            print(summary(r))
            // The epoch is saved (the trainer reports it after its checkpoints are in place).
            Interruption.set("interrupted after epoch \(r.epoch) of \(totalEpochs), which is saved in \(folder): "
                             + "rerun the same command to resume from epoch \(r.epoch + 1)")
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : "\(s)s"
    }
}
