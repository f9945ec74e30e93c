import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Missions 1-1, 2-1 and 2-2 on the report page: class counts, valid label files, likes and dislikes.
extension ReportPage {
    // MARK: 1-1, 2-1, 2-2

    /// The `StyleCount` rows of a mission-1-1 or -2-1 JSON report: an array of them since
    /// 2026-11-24, an object holding them as `rows` before.
    func countRows(_ relative: String) -> [StyleCount] {
        struct Wrapped: Decodable { let rows: [StyleCount] }
        guard let data = contents(relative) else { return [] }
        let decoder = JSONStyle.decoder()
        return (try? decoder.decode([StyleCount].self, from: data)) ?? (try? decoder.decode(Wrapped.self, from: data))?.rows ?? []
    }

    /// Grouped bars per (gender, style), one series per split, women's styles first.
    func countChart(_ relative: String, title: String, axis: String) -> String? {
        let rows = countRows(relative)
        guard !rows.isEmpty else { return nil }
        let keys = Array(Set(rows.map { "\($0.style)_\($0.gender)" })).sorted { a, b in
            let ga = a.hasSuffix("_W") ? 0 : 1, gb = b.hasSuffix("_W") ? 0 : 1
            return (ga, a) < (gb, b)
        }
        let splits = ["training", "validation"].filter { s in rows.contains { $0.split == s } }
        let series = splits.map { split in
            Charts.Series(name: split, values: keys.map { key in
                Double(rows.filter { $0.split == split && "\($0.style)_\($0.gender)" == key }.map(\.count).reduce(0, +))
            })
        }
        let totals = splits.map { s in "\(s) \(rows.filter { $0.split == s }.map(\.count).reduce(0, +))" }.joined(separator: ", ")
        return Charts.bars(title: title, categories: keys, series: series, axis: axis)
            + "<p>\(keys.count) style×gender classes; \(Self.escape(totals)).</p>" + Self.source(relative)
    }

    func classDistribution() -> Section {
        let found = named("mission-1-1.json").first
        return Section(id: "class-distribution", title: "1-1 Photos per class",
                       body: found.flatMap { countChart($0, title: "Photos per style × gender (W: women, M: men)", axis: "photos") },
                       howTo: "Make it with <code>fashion stats --format json --output DIR/reports/mission-1-1.json</code>.")
    }

    func labels() -> Section {
        let found = named("mission-2-1.json").first
        return Section(id: "labels", title: "2-1 Valid label files per class",
                       body: found.flatMap { countChart($0, title: "Label files whose photo exists, per style × gender", axis: "label files") },
                       howTo: "Make it with <code>fashion labels --format json --output DIR/reports/mission-2-1.json</code>.")
    }

    /// A 2-2 JSON report's title, one row of counts per respondent and its totals: from the
    /// long answer records (and `NAME.totals.csv` beside them) written since 2026-11-24, or
    /// from the object with `rows` and `totals` (keys in snake_case or camelCase) before.
    func preferenceRows(_ relative: String) -> (String, [[String]], [[String]])? {
        guard let data = contents(relative) else { return nil }
        let decoder = JSONStyle.decoder()
        if let answers = try? decoder.decode([PreferenceReport.Answer].self, from: data) {
            var order: [Int] = [], counts: [Int: (respondent: Int, cells: [Int])] = [:]
            for a in answers {
                if counts[a.rank] == nil { order.append(a.rank); counts[a.rank] = (a.respondent, [0, 0, 0, 0]) }
                counts[a.rank]?.cells[(a.split == "training" ? 0 : 2) + (a.liked ? 0 : 1)] += 1
            }
            let rows = order.sorted().compactMap { rank in
                counts[rank].map { c in [String(rank), String(c.respondent), String(c.cells.reduce(0, +))] + c.cells.map(String.init) }
            }
            let totalsFile = url((relative as NSString).deletingPathExtension + ".totals.csv")
            let totals = (Self.contents(totalsFile).map { String(decoding: $0, as: UTF8.self) } ?? "").split(separator: "\n").dropFirst().compactMap { line -> [String]? in
                guard let comma = line.lastIndex(of: ",") else { return nil }
                return [String(line[..<comma]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")), String(line[line.index(after: comma)...])]
            }
            return ("The \(rows.count) respondents with the most answers", rows, totals)
        }
        // Before 2026-11-24: PreferenceReport's object, lists per respondent (snake_case or
        // camelCase keys, which JSONStyle's decoder both reads).
        struct Old: Decodable {
            struct Row: Decodable {
                let rank: Int, respondent: Int, answers: Int
                let trainingLiked: [String], trainingDisliked: [String], validationLiked: [String], validationDisliked: [String]
            }
            let title: String?
            let rows: [Row]
            let totals: [CountReport.Total]?
        }
        guard let old = try? decoder.decode(Old.self, from: data) else { return nil }
        let table = old.rows.map { r in
            [String(r.rank), String(r.respondent), String(r.answers)]
                + [r.trainingLiked, r.trainingDisliked, r.validationLiked, r.validationDisliked].map { String($0.count) }
        }
        return (old.title ?? "Top respondents", table, (old.totals ?? []).map { [$0.name, String($0.value)] })
    }

    func preferences() -> Section {
        let found = named("mission-2-2-top100.json").first
        var body: String?
        if let found, let (title, rows, totals) = preferenceRows(found) {
            var html = ""
            if !totals.isEmpty { html += Self.table(["figure", "value"], totals) }
            let header = ["rank", "respondent (R_id)", "answers", "training likes", "training dislikes", "validation likes", "validation dislikes"]
            html += "<h3>\(Self.escape(title))</h3><div class=\"scroll\">\(Self.table(header, rows, nameColumns: 0))</div>" + Self.source(found)
            body = html
        }
        return Section(id: "preferences", title: "2-2 Respondents' likes and dislikes", body: body,
                       howTo: "Make it with <code>fashion preferences --format json --output DIR/reports/mission-2-2-top100.json</code>.")
    }
}
