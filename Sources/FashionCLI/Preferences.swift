import ArgumentParser
import Dataset

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
        let table = try SurveyJoin(tree: tree).preferences
        let report = PreferenceReport(table: table, top: top)
        try outputOptions.emit(try report.rendered(as: outputOptions.format))
        if let html {
            try OutputOptions(format: .html, output: html).emit(try report.rendered(as: .html))
        }
        try outputOptions.noteSkipped(report.skipped)
        try outputOptions.noteTotals(report.totalsCSV)
    }
}
