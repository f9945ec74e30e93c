import ArgumentParser
import Dataset
import Foundation
import Tensor
import Vision

/// `--format text|markdown|csv|json|html`.
extension ReportFormat: ExpressibleByArgument {}

/// `--format` and `--output` for reports.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: text, markdown, csv, json or html.")
    var format: ReportFormat = .text

    @Option(name: [.customLong("output"), .customLong("out")], help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    /// Writes `text` to `--output` or standard output (control characters escaped for a terminal).
    func emit(_ text: String) throws {
        if let output {
            let url = URL(fileURLWithPath: output)
            // One rule for every command: missing folders of an output are created (mkdir -p).
            try OutputFolder.create(url.deletingLastPathComponent(), option: "--output")
            AtomicFile.removeLeftovers(of: url)
            try AtomicFile.write(Data(text.utf8), to: url)
            printError("wrote \(output)\n")
        } else {
            // Escape sequences in names from files never reach a terminal; a CSV or JSON piped
            // to another program keeps its bytes (JSON escapes control characters itself).
            let escape = isatty(STDOUT_FILENO) != 0 || format == .text || format == .markdown
            FileHandle.standardOutput.write(Data((escape ? TerminalText.escaped(text) : text).utf8))
        }
    }

    /// The totals as `NAME.totals.csv` beside a CSV or JSON report written to `--output NAME.ext`
    /// (those formats hold only the main table; the others show the totals themselves).
    func noteTotals(_ csv: String) throws {
        guard let output, format == .csv || format == .json else { return }
        let url = URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("totals.csv")
        try AtomicFile.write(Data(csv.utf8), to: url)
        printError("wrote \(url.path)\n")
    }

    /// Skipped files: a summary on standard error when standard output must stay machine-readable
    /// (a text report lists them itself), and `NAME.skipped.csv` beside a report written to
    /// `--output NAME.ext`.
    func noteSkipped(_ skipped: [SkippedFile]) throws {
        if let output {
            let url = URL(fileURLWithPath: output)
            let csv = url.deletingPathExtension().appendingPathExtension("skipped.csv")
            try SkippedFile.write(skipped, to: csv)
            printError("wrote \(csv.path)\n")
        }
        guard format != .text && format != .markdown || output != nil else { return }
        printError(SkippedFile.summary(skipped))
    }
}

extension OutputOptions {
    init(format: ReportFormat, output: String?) {
        self.init()
        self.format = format
        self.output = output
    }
}
