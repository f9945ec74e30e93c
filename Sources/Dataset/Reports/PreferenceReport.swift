import Foundation
import FashionBase

/// Mission 2-2's output: totals, the top respondents' likes and dislikes, what was dropped.
public struct PreferenceReport: Codable, Sendable {
    /// One listed respondent: rank, answer count and the four lists of photos.
    public struct Row: Codable, Hashable, Sendable {
        public let rank: Int
        public let respondent: Int
        /// Answers kept.
        public let answers: Int
        /// Photos liked and disliked among the training answers.
        public let trainingLiked: [String], trainingDisliked: [String]
        /// Photos liked and disliked among the validation answers.
        public let validationLiked: [String], validationDisliked: [String]
    }

    /// One answer of a listed respondent — the long (tidy) form of the lists, as CSV and JSON
    /// give it: `rank,respondent,split,image,liked`.
    public struct Answer: Codable, Hashable, Sendable {
        /// The respondent's rank by answer count (1: most).
        public let rank: Int
        public let respondent: Int
        /// `training` or `validation`.
        public let split: String
        /// The photo's file name.
        public let image: String
        /// Whether the answer was a like (Q5 = 2).
        public let liked: Bool
    }

    /// Every listed respondent's answers, by rank, then split (training first), liked first,
    /// then image name.
    public var answers: [Answer] {
        rows.flatMap { r in
            [(Split.training.rawValue, r.trainingLiked, true), (Split.training.rawValue, r.trainingDisliked, false),
             (Split.validation.rawValue, r.validationLiked, true), (Split.validation.rawValue, r.validationDisliked, false)]
                .flatMap { split, images, liked in
                    images.map { Answer(rank: r.rank, respondent: r.respondent, split: split, image: $0, liked: liked) }
                }
        }
    }

    /// The totals as a `name,value` table (written beside a CSV or JSON report).
    public var totalsCSV: String {
        TextTable.csvLine(["name", "value"]) + totals.map { TextTable.csvLine([$0.name, String($0.value)]) }.joined()
    }

    /// The report's heading.
    public let title: String
    /// Answers kept, respondents, contradictions dropped, files skipped.
    public let totals: [CountReport.Total]
    /// The listed respondents, by rank.
    public let rows: [Row]
    /// Photos a respondent both liked and disliked in one split (dropped).
    public let contradictions: [Contradiction]
    /// Label files left out, with why.
    public let skipped: [SkippedFile]

    /// The report of `table` listing its `top` respondents (`top ≤ 0`: all).
    public init(table: PreferenceTable, top: Int) {
        let chosen = table.top(top)
        title = top > 0 ? "Mission 2-2: the \(chosen.count) respondents with the most answers" : "Mission 2-2: all respondents"
        let answers = table.answers
        totals = [
            .init("valid label files read", table.labelFilesRead),
            .init("answers kept", answers.count),
            .init("training answers", answers.filter { $0.split == .training }.count),
            .init("validation answers", answers.filter { $0.split == .validation }.count),
            .init("likes", answers.filter(\.liked).count),
            .init("respondents", table.respondents.count),
            .init("contradictory answers dropped", table.contradictions.reduce(0) { $0 + $1.labelFiles.count }),
            .init("skipped files", table.skipped.count),
        ]
        rows = chosen.enumerated().map { i, p in
            Row(rank: i + 1, respondent: p.respondent, answers: p.answerCount,
                trainingLiked: p.trainingLiked, trainingDisliked: p.trainingDisliked,
                validationLiked: p.validationLiked, validationDisliked: p.validationDisliked)
        }
        contradictions = table.contradictions
        skipped = table.skipped
    }

    static let countHeader = ["rank", "R_id", "answers", "training liked", "training disliked", "validation liked", "validation disliked"]

    /// The report in `format`. CSV and JSON are the long table of ``answers`` (one record per
    /// answer: `rank,respondent,split,image,liked`; JSON an array, as `pandas.read_json` reads);
    /// text and Markdown give counts per respondent with the totals; HTML is a self-contained
    /// page with the lists in a scrollable table.
    public func rendered(as format: ReportFormat) throws -> String {
        let counts = rows.map { r in
            [String(r.rank), String(r.respondent), String(r.answers), String(r.trainingLiked.count),
             String(r.trainingDisliked.count), String(r.validationLiked.count), String(r.validationDisliked.count)]
        }
        switch format {
        case .csv:
            return TextTable.csvLine(["rank", "respondent", "split", "image", "liked"])
                + answers.map { TextTable.csvLine([String($0.rank), String($0.respondent), $0.split, $0.image, $0.liked ? "true" : "false"]) }.joined()
        case .json:
            return String(decoding: try JSONStyle.encoder().encode(answers), as: UTF8.self) + "\n"
        case .text:
            var out = "\(title)\n\n" + TextTable.aligned(header: ["", "count"], rows: totals.map { [$0.name, TextTable.grouped($0.value)] }, rightAligned: [1])
            out += "\n" + TextTable.aligned(header: Self.countHeader, rows: counts, rightAligned: Set(0..<7))
            out += contradictionText()
            out += CountReport(title: "", unit: "", rows: [], totals: [], skipped: skipped).skippedText()
            return out
        case .markdown:
            var out = "# \(title)\n\n" + TextTable.markdown(header: ["", "count"], rows: totals.map { [$0.name, String($0.value)] }, rightAligned: [1])
            out += "\n" + TextTable.markdown(header: Self.countHeader, rows: counts, rightAligned: Set(0..<7))
            if !contradictions.isEmpty {
                out += "\n## contradictory answers (dropped)\n\n" + TextTable.markdown(
                    header: ["R_id", "split", "image", "label files"],
                    rows: contradictions.map { [String($0.respondent), $0.split.rawValue, $0.image, $0.labelFiles.joined(separator: ", ")] })
            }
            return out
        case .html:
            var body = "<h1>\(TextTable.htmlEscaped(title))</h1>\n"
            body += HTMLTable.table(header: ["", "count"], rows: totals.map { [$0.name, String($0.value)] })
            body += "<h2>likes and dislikes</h2>\n<div class=\"scroll\">\n<table>\n<thead><tr>"
            body += ["rank", "R_id", "answers", "training liked", "training disliked", "validation liked", "validation disliked"]
                .map { "<th>\($0)</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for r in rows {
                body += "<tr><td>\(r.rank)</td><td>\(r.respondent)</td><td>\(r.answers)</td>"
                for list in [r.trainingLiked, r.trainingDisliked, r.validationLiked, r.validationDisliked] {
                    body += "<td class=\"list\">\(TextTable.htmlEscaped(list.joined(separator: ", ")))</td>"
                }
                body += "</tr>\n"
            }
            body += "</tbody>\n</table>\n</div>\n"
            if !contradictions.isEmpty {
                body += "<h2>contradictory answers (dropped)</h2>\n" + HTMLTable.table(
                    header: ["R_id", "split", "image", "label files"],
                    rows: contradictions.map { [String($0.respondent), $0.split.rawValue, $0.image, $0.labelFiles.joined(separator: ", ")] })
            }
            return HTMLTable.page(title: title, body: body)
        }
    }

    func contradictionText() -> String {
        guard !contradictions.isEmpty else { return "" }
        return "\ncontradictory answers dropped:\n" + contradictions.map {
            "  R_id \($0.respondent) on \($0.split.rawValue) \($0.image): \($0.labelFiles.joined(separator: ", "))\n"
        }.joined()
    }
}
