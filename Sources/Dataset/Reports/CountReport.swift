import Foundation
import FashionBase

/// A (split, gender, style) → count table with its totals and the files left out —
/// the shape of missions 1-1 and 2-1 — and its renderings.
public struct CountReport: Codable, Sendable {
    /// A named total (`training images` → 4,070).
    public struct Total: Codable, Hashable, Sendable {
        /// What is totalled.
        public let name: String
        /// The total.
        public let value: Int
        /// A total named `name`.
        public init(_ name: String, _ value: Int) { self.name = name; self.value = value }
    }

    /// The report's heading.
    public var title: String
    /// What is counted (`images`, `valid labels`).
    public var unit: String
    /// Rows grouped by split (training, validation, combined), each group in ``StyleCount``'s order.
    public var rows: [StyleCount]
    /// Named totals (per split, classes, files skipped).
    public var totals: [Total]
    /// Files left out, with why.
    public var skipped: [SkippedFile]

    /// A report of `rows` with its totals and skipped files.
    public init(title: String, unit: String, rows: [StyleCount], totals: [Total], skipped: [SkippedFile]) {
        self.title = title; self.unit = unit; self.rows = rows; self.totals = totals; self.skipped = skipped
    }

    /// The totals as a `name,value` table (written beside a CSV or JSON report).
    public var totalsCSV: String {
        TextTable.csvLine(["name", "value"]) + totals.map { TextTable.csvLine([$0.name, String($0.value)]) }.joined()
    }

    /// The splits present, in row order.
    public var splits: [String] {
        var seen: [String] = []
        for row in rows where !seen.contains(row.split) { seen.append(row.split) }
        return seen
    }

    /// `31 classes (23 W, 8 M), 4,070 images` for one split.
    public func summary(of split: String) -> String {
        let group = rows.filter { $0.split == split }
        let women = group.filter { $0.gender == Gender.women.rawValue }.count
        let men = group.filter { $0.gender == Gender.men.rawValue }.count
        return "\(TextTable.grouped(group.reduce(0) { $0 + $1.count })) \(unit), \(group.count) classes (\(women) W, \(men) M)"
    }

    /// The report in `format`. CSV and JSON are the bare table, one record per row
    /// (`split,gender,style,count`; JSON an array of such objects, as `pandas.read_json`
    /// reads); text, Markdown and HTML add the totals and the skipped files (``totalsCSV``
    /// and ``SkippedFile/csv(_:)`` give those as tables).
    public func rendered(as format: ReportFormat) throws -> String {
        switch format {
        case .csv:
            return TextTable.csvLine(["split", "gender", "style", "count"])
                + rows.map { TextTable.csvLine([$0.split, $0.gender, $0.style, String($0.count)]) }.joined()
        case .json:
            return String(decoding: try JSONStyle.encoder().encode(rows), as: UTF8.self) + "\n"
        case .text:
            var out = "\(title)\n"
            for split in splits {
                out += "\n\(split): \(summary(of: split))\n"
                out += TextTable.aligned(header: ["gender", "style", "count"],
                                         rows: rows.filter { $0.split == split }.map { [$0.gender, $0.style, TextTable.grouped($0.count)] },
                                         rightAligned: [2])
            }
            out += "\ntotals\n" + TextTable.aligned(header: ["", "count"], rows: totals.map { [$0.name, TextTable.grouped($0.value)] }, rightAligned: [1])
            out += skippedText()
            return out
        case .markdown:
            var out = "# \(title)\n"
            for split in splits {
                out += "\n## \(split)\n\n\(summary(of: split))\n\n"
                out += TextTable.markdown(header: ["gender", "style", "count"],
                                          rows: rows.filter { $0.split == split }.map { [$0.gender, $0.style, String($0.count)] },
                                          rightAligned: [2])
            }
            out += "\n## totals\n\n" + TextTable.markdown(header: ["", "count"], rows: totals.map { [$0.name, String($0.value)] }, rightAligned: [1])
            if !skipped.isEmpty {
                out += "\n## skipped files\n\n" + TextTable.markdown(header: ["file", "reason"], rows: skipped.map { [$0.path, $0.reason] })
            }
            return out
        case .html:
            var body = "<h1>\(TextTable.htmlEscaped(title))</h1>\n"
            for split in splits {
                body += "<h2>\(TextTable.htmlEscaped(split))</h2>\n<p>\(TextTable.htmlEscaped(summary(of: split)))</p>\n"
                body += HTMLTable.table(header: ["gender", "style", "count"],
                                        rows: rows.filter { $0.split == split }.map { [$0.gender, $0.style, String($0.count)] })
            }
            body += "<h2>totals</h2>\n" + HTMLTable.table(header: ["", "count"], rows: totals.map { [$0.name, String($0.value)] })
            return HTMLTable.page(title: title, body: body)
        }
    }

    func skippedText() -> String {
        guard !skipped.isEmpty else { return "" }
        var out = "\nskipped \(skipped.count) file\(skipped.count == 1 ? "" : "s"):\n"
        for file in skipped.prefix(20) { out += "  \(file)\n" }
        if skipped.count > 20 { out += "  … and \(skipped.count - 20) more (see --format json)\n" }
        return out
    }
}
