import ArgumentParser
import Dataset

/// Mission 1-1: images per (gender, style), per split and combined.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 1-1: count photos by gender and style, per split and combined.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let stats = try ImageStatistics(tree: dataOptions.tree())
        let report = stats.report
        try outputOptions.emit(try report.rendered(as: outputOptions.format))
        try outputOptions.noteSkipped(report.skipped)
        try outputOptions.noteTotals(report.totalsCSV)
    }
}
