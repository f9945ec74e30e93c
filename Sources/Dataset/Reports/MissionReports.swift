import FashionBase
import Foundation

extension ReportFormat {
    /// The file-name extension of a report in this format (`txt`, `md`, `csv`, `json`, `html`).
    public var fileExtension: String {
        switch self {
        case .text: return "txt"
        case .markdown: return "md"
        case .csv: return "csv"
        case .json: return "json"
        case .html: return "html"
        }
    }
}

extension SurveyJoin {
    /// Writes the reports of missions 1-1, 2-1 and 2-2 into `folder` (created if missing), each
    /// atomically: `mission-1-1.{md,csv,json}`, `mission-2-1.{md,csv,json}`,
    /// `mission-2-2-top<top>.{html,csv,json}` and a `.totals.csv` beside each. Returns the files
    /// written, in that order.
    @discardableResult
    public func writeMissionReports(to folder: URL, top: Int = 100) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [URL] = []
        func save(_ name: String, _ text: String) throws {
            let url = folder.appendingPathComponent(name)
            try AtomicFile.write(Data(text.utf8), to: url)
            written.append(url)
        }
        for format in [ReportFormat.markdown, .csv, .json] { try save("mission-1-1.\(format.fileExtension)", try images.report.rendered(as: format)) }
        try save("mission-1-1.totals.csv", images.report.totalsCSV)
        for format in [ReportFormat.markdown, .csv, .json] { try save("mission-2-1.\(format.fileExtension)", try labels.report.rendered(as: format)) }
        try save("mission-2-1.totals.csv", labels.report.totalsCSV)
        let preferenceReport = PreferenceReport(table: preferences, top: top)
        for format in [ReportFormat.html, .csv, .json] { try save("mission-2-2-top\(top).\(format.fileExtension)", try preferenceReport.rendered(as: format)) }
        try save("mission-2-2-top\(top).totals.csv", preferenceReport.totalsCSV)
        return written
    }
}
