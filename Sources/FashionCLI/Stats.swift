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

/// Mission 2-1: label files whose photo exists in the same split.
struct Labels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 2-1: keep labels whose photo exists (full-stem match) and count them by gender and style.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        let tree = try dataOptions.tree()
        let labels = try LabelStatistics(tree: tree, images: ImageStatistics(tree: tree))
        let report = labels.report
        try outputOptions.emit(try report.rendered(as: outputOptions.format))
        try outputOptions.noteSkipped(report.skipped)
        try outputOptions.noteTotals(report.totalsCSV)
    }
}

/// Mission 2-2: the per-respondent preference table.
struct Preferences: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 2-2: each respondent's liked and disliked photos (Q5, R_id), the top respondents, an HTML table.")

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var outputOptions: OutputOptions

    @Option(help: "List the respondents with the most answers (ties by R_id); 0 lists all.")
    var top: Int = 100

    @Option(help: "Also write the table as a scrollable HTML page to this file.")
    var html: String?

    func run() throws {
        let tree = try dataOptions.tree()
        let labels = try LabelStatistics(tree: tree, images: ImageStatistics(tree: tree))
        let table = PreferenceTable(tree: tree, labels: labels)
        let report = PreferenceReport(table: table, top: top)
        try outputOptions.emit(try report.rendered(as: outputOptions.format))
        if let html {
            try OutputOptions(format: .html, output: html).emit(try report.rendered(as: .html))
        }
        try outputOptions.noteSkipped(report.skipped)
        try outputOptions.noteTotals(report.totalsCSV)
    }
}

extension OutputOptions {
    init(format: ReportFormat, output: String?) {
        self.init()
        self.format = format
        self.output = output
    }
}
