import ArgumentParser
import Dataset

/// Mission 2-1: label files whose photo exists in the same split.
struct Labels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 2-1: keep labels whose photo exists (full-stem match) and count them by gender and style.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let tree = try dataOptions.tree()
        let labels = try LabelStatistics(tree: tree)
        let report = labels.report
        try outputOptions.emit(try report.rendered(as: outputOptions.format))
        try outputOptions.noteSkipped(report.skipped)
        try outputOptions.noteTotals(report.totalsCSV)
    }
}
