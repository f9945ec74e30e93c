import Dataset
import Foundation
import Models
import Tensor
import Vision

/// One self-contained HTML page (inline SVG, CSS and images; no network) over everything a
/// folder of outputs holds: `make demo`'s `demo-output/`, or any folder with the commands'
/// outputs in it. Each section reads the files it understands wherever they are under the
/// root (up to four levels down; photo folders are not entered); a section without its
/// files says which command makes them.
///
/// The markup is XHTML-clean (every tag closed, every text escaped) so it also parses as XML.
struct ReportPage {
    let root: URL
    /// Found files, relative paths sorted.
    let files: [String]

    struct Section {
        var id: String
        var title: String
        /// The body, or nil when its outputs are missing.
        var body: String?
        /// How to make the outputs when they are missing.
        var howTo: String
    }

    init(root: URL) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError("\(root.path): folder not found (give the folder `make demo` or the commands wrote to)")
        }
        files = Self.scan(root)
    }

    struct ReportError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Relative paths of the files under `root`, four levels deep, skipping photo and label
    /// folders and hidden entries.
    static func scan(_ root: URL) -> [String] {
        var out: [String] = []
        func walk(_ folder: URL, _ relative: String, depth: Int) {
            guard depth <= 4, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let url = folder.appendingPathComponent(name), rel = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    if name.hasSuffix("_image") || name.hasSuffix("_label") || name == "backbone" { continue }
                    walk(url, rel, depth: depth + 1)
                } else {
                    out.append(rel)
                }
            }
        }
        walk(root, "", depth: 0)
        return out
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    func named(_ name: String) -> [String] { files.filter { $0 == name || $0.hasSuffix("/" + name) } }
    func folders(holding name: String) -> [String] {
        named(name).map { ($0 as NSString).deletingLastPathComponent }
    }
    func json(_ relative: String) -> Any? {
        (try? Data(contentsOf: url(relative))).flatMap { try? JSONSerialization.jsonObject(with: $0) }
    }

    // MARK: Page

    func sections() -> [Section] {
        [classDistribution(), labels(), preferences(), preparation()] + training() + [recommendation(), fewShot()]
    }

    /// The page over `sections` (built from the folder when not given).
    func html(sections given: [Section]? = nil, generated: Date = Date()) -> String {
        let sections = given ?? sections()
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>FashionStyle report — \(Self.escape(root.lastPathComponent))</title>
        <style>\(Self.css)</style></head><body>
        <header><h1>FashionStyle report</h1><p>Outputs under <code>\(Self.escape(root.path))</code>,
        \(Self.escape(ISO8601DateFormatter().string(from: generated))). Every figure below is read from those files.</p>
        <nav>\(sections.map { "<a href=\"#\($0.id)\"\($0.body == nil ? " class=\"missing\"" : "")>\(Self.escape($0.title))</a>" }.joined(separator: " "))</nav></header>

        """
        for s in sections {
            page += "<section id=\"\(s.id)\"><h2>\(Self.escape(s.title))</h2>\n"
            page += s.body ?? "<p class=\"missing\">Not in this folder. \(s.howTo)</p>"
            page += "\n</section>\n"
        }
        page += "</body></html>\n"
        return page
    }

    static let css = """
    body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1240px;padding:0 20px 40px;color:#222}
    header{border-bottom:1px solid #ddd;margin-bottom:12px}nav a{margin-right:12px;white-space:nowrap}
    nav a.missing{color:#999}section{margin:28px 0}h2{border-bottom:2px solid #1f77b4;padding-bottom:4px}
    .missing{color:#777;font-style:italic}table{border-collapse:collapse;font-size:13px;margin:8px 0}
    th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f3f6fa}td.name,th.name{text-align:left}
    .scroll{max-height:420px;overflow:auto;display:inline-block;border:1px solid #ddd}
    .row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}svg.plot{background:#fff;max-width:100%;height:auto}
    .photos img{width:112px;height:112px;margin:2px;border:1px solid #ddd}img.sheet{max-width:100%}
    code{background:#f4f4f4;padding:1px 4px}
    """

    static func escape(_ s: String) -> String { SVG.escape(s) }

    /// `training_liked` → `trainingLiked` (the reports' keys before they were snake_case).
    static func camelCase(_ key: String) -> String {
        let parts = key.split(separator: "_")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
    }

    static func table(_ header: [String], _ rows: [[String]], nameColumns: Int = 1) -> String {
        var t = "<table><thead><tr>" + header.enumerated().map { "<th\($0.offset < nameColumns ? " class=\"name\"" : "")>\(escape($0.element))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows {
            t += "<tr>" + r.enumerated().map { "<td\($0.offset < nameColumns ? " class=\"name\"" : "")>\(escape($0.element))</td>" }.joined() + "</tr>"
        }
        return t + "</tbody></table>"
    }

    static func image(_ data: Data, mime: String, alt: String, cssClass: String? = nil) -> String {
        "<img\(cssClass.map { " class=\"\($0)\"" } ?? "") alt=\"\(escape(alt))\" src=\"data:\(mime);base64,\(data.base64EncodedString())\"/>"
    }

    static func source(_ relative: String) -> String { "<p class=\"source\">From <code>\(escape(relative))</code>.</p>" }

    // MARK: 1-1, 2-1, 2-2

    /// Rows `{split, gender, style, count}` of a mission-1-1 or -2-1 JSON report.
    func countRows(_ relative: String) -> [(split: String, gender: String, style: String, count: Int)] {
        // An array of records since 2026-11-24; an object holding `rows` before.
        guard let rows = (json(relative) as? [[String: Any]]) ?? ((json(relative) as? [String: Any])?["rows"] as? [[String: Any]]) else { return [] }
        return rows.compactMap { r in
            guard let split = r["split"] as? String, let gender = r["gender"] as? String, let style = r["style"] as? String,
                  let count = r["count"] as? Int else { return nil }
            return (split, gender, style, count)
        }
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
        let object = json(relative)
        if let answers = object as? [[String: Any]] {
            var order: [Int] = [], counts: [Int: (respondent: Int, cells: [Int])] = [:]
            for a in answers {
                guard let rank = a["rank"] as? Int, let respondent = a["respondent"] as? Int, let split = a["split"] as? String,
                      let liked = a["liked"] as? Bool else { continue }
                if counts[rank] == nil { order.append(rank); counts[rank] = (respondent, [0, 0, 0, 0]) }
                counts[rank]?.cells[(split == "training" ? 0 : 2) + (liked ? 0 : 1)] += 1
            }
            let rows = order.sorted().compactMap { rank in
                counts[rank].map { c in [String(rank), String(c.respondent), String(c.cells.reduce(0, +))] + c.cells.map(String.init) }
            }
            let totalsFile = url((relative as NSString).deletingPathExtension + ".totals.csv")
            let totals = ((try? String(contentsOf: totalsFile, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst().compactMap { line -> [String]? in
                guard let comma = line.lastIndex(of: ",") else { return nil }
                return [String(line[..<comma]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")), String(line[line.index(after: comma)...])]
            }
            return ("The \(rows.count) respondents with the most answers", rows, totals)
        }
        guard let old = object as? [String: Any], let rows = old["rows"] as? [[String: Any]] else { return nil }
        let keys = ["rank", "respondent", "answers", "training_liked", "training_disliked", "validation_liked", "validation_disliked"]
        let table = rows.map { r in
            keys.map { k -> String in
                let value = r[k] ?? r[Self.camelCase(k)]
                if let list = value as? [Any] { return String(list.count) }
                return value.map { "\($0)" } ?? ""
            }
        }
        let totals = (old["totals"] as? [[String: Any]] ?? []).compactMap { t -> [String]? in
            guard let n = t["name"] as? String, let v = t["value"] else { return nil }
            return [n, "\(v)"]
        }
        return (old["title"] as? String ?? "Top respondents", table, totals)
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

    // MARK: Preparation

    func preparation() -> Section {
        guard let csv = named("white_share.csv").first,
              let text = try? String(contentsOf: url(csv), encoding: .utf8) else {
            return Section(id: "preparation", title: "1-2 Photo preparation", body: nil,
                           howTo: "Make it with <code>fashion prepare --data DIR/kfashion --out DIR/prepared</code>.")
        }
        let folder = (csv as NSString).deletingLastPathComponent
        var shares: [String: [Double]] = [:], flagged: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 4, let v = Double(f[2]) else { continue }
            shares[String(f[0]), default: []].append(v)
            if f[3] == "1" { flagged[String(f[0]), default: 0] += 1 }
        }
        var body = "<div class=\"row\">"
        for split in shares.keys.sorted() {
            let values = shares[split] ?? []
            let rule = InterquartileRule(values: values)
            body += Charts.histogram(title: "White share after background removal, \(split) (\(values.count) photos)", values: values,
                                     marks: [("lower fence", rule.lower), ("upper fence", rule.upper)], axis: "share of white pixels")
        }
        body += "</div><p>Photos outside the fences (1.5 × IQR beyond the quartiles) are flagged for a look: "
            + shares.keys.sorted().map { "\($0) \(flagged[$0, default: 0])" }.joined(separator: ", ") + ".</p>"
        let imageFolder = root.appendingPathComponent(folder).appendingPathComponent(Split.training.imageFolder)
        if let names = try? DirectoryListing.fileNames(in: imageFolder) {
            let picks = stride(from: 0, to: names.count, by: max(1, names.count / 8)).prefix(8).map { names[$0] }
            body += "<div class=\"photos\">" + picks.compactMap { name in
                (try? Data(contentsOf: imageFolder.appendingPathComponent(name))).map { Self.image($0, mime: "image/jpeg", alt: name) }
            }.joined() + "</div><p>A few prepared training photos (background white, cropped, padded square, resized).</p>"
        }
        return Section(id: "preparation", title: "1-2 Photo preparation", body: body + Self.source(csv), howTo: "")
    }

    // MARK: Training runs

    func training() -> [Section] {
        let runs = folders(holding: "log.jsonl")
        guard !runs.isEmpty else {
            return [Section(id: "training", title: "1-2 Training", body: nil,
                            howTo: "Make it with <code>fashion train --out DIR/runs/kfashion</code> or <code>fashion train-mnist --out DIR/runs/fashion-mnist</code>.")]
        }
        return runs.enumerated().map { k, run in
            Section(id: "training-\(k + 1)", title: "Training run \(run.isEmpty ? "." : run)", body: trainingBody(run), howTo: "")
        }
    }

    func trainingBody(_ run: String) -> String {
        let prefix = run.isEmpty ? "" : run + "/"
        var records: [[String: Any]] = []
        if let text = try? String(contentsOf: url(prefix + "log.jsonl"), encoding: .utf8) {
            for line in text.split(separator: "\n") {
                if let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] { records.append(object) }
            }
        }
        // snake_case since 2026-11-24; camelCase in logs written before.
        func value(_ r: [String: Any], _ key: String) -> Any? { r[key] ?? r[Self.camelCase(key)] }
        func series(_ key: String) -> [Double] {
            records.map { (value($0, key) as? Double) ?? (value($0, key) as? Int).map(Double.init) ?? .nan }
        }
        // The last epoch marked best is the one whose checkpoint `best.safetensors` holds.
        let bestEpoch = records.lastIndex { ($0["best"] as? Bool) == true }.map { $0 + 1 }
        // What the validation_* figures were measured on: Fashion-MNIST's test set says "test".
        let heldOut = (records.last?["held_out"] as? String) == "test" ? "test" : "validation"
        var body = "<div class=\"row\">"
        body += Charts.lines(title: "Loss", series: [.init(name: "training", values: series("train_loss")),
                                                     .init(name: heldOut, values: series("validation_loss"))],
                             axis: "cross-entropy", bestEpoch: bestEpoch)
        body += Charts.lines(title: "Accuracy (%)", series: [.init(name: "training", values: series("train_accuracy")),
                                                             .init(name: heldOut, values: series("validation_accuracy"))],
                             axis: "accuracy, %", bestEpoch: bestEpoch, percent: true)
        body += "</div>"
        if let bestEpoch, bestEpoch <= records.count {
            let r = records[bestEpoch - 1]
            body += "<p>Best epoch \(bestEpoch) of \(records.count): \(TextTable.htmlEscaped(heldOut)) accuracy "
                + String(format: "%.2f %%.</p>", 100 * ((value(r, "validation_accuracy") as? Double) ?? .nan))
        }
        if let evaluation = json(prefix + "evaluation.json") as? [String: Any], let classes = evaluation["classes"] as? [String],
           let matrix = evaluation["confusion"] as? [[Int]], matrix.count == classes.count {
            let recall = matrix.enumerated().map { i, row in Double(row[i]) / Double(max(1, row.reduce(0, +))) }
            let correct = matrix.enumerated().map { $0.element[$0.offset] }.reduce(0, +), total = matrix.flatMap { $0 }.reduce(0, +)
            body += String(format: "<p>Evaluation: %d of %d correct (%.2f %%).</p>", correct, total, 100 * Double(correct) / Double(max(1, total)))
            body += "<div class=\"row\">"
            body += Charts.bars(title: "Accuracy per class (recall), %", categories: classes,
                                series: [.init(name: "accuracy", values: recall.map { 100 * $0 })], axis: "% of the class's photos right",
                                maximum: 100, format: { String(format: "%.1f", $0) })
            body += Charts.confusion(title: "Confusion matrix (shade: share of the true class)", classes: classes, matrix: matrix)
            body += "</div>"
        }
        if let png = try? Data(contentsOf: url(prefix + "samples.png")) {
            body += "<h3>Sample predictions</h3>" + Self.image(png, mime: "image/png", alt: "sample predictions", cssClass: "sheet")
        }
        return body + Self.source(prefix + "log.jsonl")
    }

    // MARK: 3 — preference prediction

    func recommendation() -> Section {
        let withROC = Set(folders(holding: "roc.csv"))
        guard let metrics = named("metrics.json").first(where: { withROC.contains(($0 as NSString).deletingLastPathComponent) }),
              // A records array; runs from before 2026-12-05 wrapped it as {"methods": […]}.
              let methods = (json(metrics) as? [[String: Any]]) ?? ((json(metrics) as? [String: Any])?["methods"] as? [[String: Any]]) else {
            return Section(id: "recommendation", title: "3 Preference prediction (collaborative filtering)", body: nil,
                           howTo: "Make it with <code>fashion recommend --checkpoint DIR/runs/kfashion/best.safetensors --out DIR/runs/recommend</code>.")
        }
        let folder = (metrics as NSString).deletingLastPathComponent
        var body = ""
        let roc = folder.isEmpty ? "roc.svg" : folder + "/roc.svg"
        if let svg = try? String(contentsOf: url(roc), encoding: .utf8) {
            body += "<div class=\"row\">" + svg.replacingOccurrences(of: "<svg ", with: "<svg class=\"plot\" ") + "</div>"
        }
        func number(_ r: [String: Any], _ key: String, percent: Bool = false) -> String {
            guard let v = r[key] as? Double else { return "–" }
            return percent ? String(format: "%.2f", 100 * v) : String(format: "%.4f", v)
        }
        body += Self.table(["method", "scored by the method itself, %", "AUC (validation)", "AUC (training)", "accuracy at 0, %", "at the training threshold, %", "at Youden's, %", "answers"],
                           methods.map { r in
                               [r["method"] as? String ?? "?", number(r, "own_share", percent: true), number(r, "auc"), number(r, "train_auc"), number(r, "accuracy_at_0", percent: true),
                                number(r, "accuracy_at_train_threshold", percent: true), number(r, "accuracy_at_youden", percent: true),
                                (r["pairs"] as? Int).map(String.init) ?? "–"]
                           })
        return Section(id: "recommendation", title: "3 Preference prediction (collaborative filtering)", body: body + Self.source(metrics), howTo: "")
    }

    // MARK: The paper — few-shot protocol

    func fewShot() -> Section {
        let missing = Section(id: "fewshot", title: "The paper: VAE latent sampling, few-shot protocol", body: nil,
                              howTo: "Make it with <code>fashion fewshot --quick --out DIR/runs/fewshot</code>.")
        // Every run folder: its table.json, or the table of its cells.json (runs from before table.json).
        var bodies: [String] = []
        for folder in Set(folders(holding: "table.json") + folders(holding: "cells.json")).sorted() {
            let prefix = folder.isEmpty ? "" : folder + "/"
            // table.json: records (since 2026-12-05) or the nested table of earlier runs.
            if let data = try? Data(contentsOf: url(prefix + "table.json")),
               let table = (try? JSONStyle.decoder().decode([FewShotProtocol.Table.Record].self, from: data)).map(FewShotProtocol.Table.init(records:))
                   ?? (try? JSONStyle.decoder().decode(FewShotProtocol.Table.self, from: data)), !table.rows.isEmpty {
                bodies.append(fewShotBody(table, source: prefix + "table.json"))
            } else if let data = try? Data(contentsOf: url(prefix + "cells.json")),
                      let cells = try? JSONStyle.decoder().decode([FewShotProtocol.Cell].self, from: data), !cells.isEmpty {
                bodies.append(fewShotBody(FewShotProtocol.table(cells), source: prefix + "cells.json"))
            }
        }
        guard !bodies.isEmpty else { return missing }
        return Section(id: "fewshot", title: missing.title, body: bodies.joined(separator: "\n") + """
        <p>The paper (FashionStyle14, ImageNet-pretrained ResNet-50), acc_h / acc in %: n_f = 10 — oversampling ×30 12.83 / 54.53,
        VAE sampling ×30 31.34 / 58.52; n_f = 50 — oversampling ×30 58.44 / 65.50, VAE sampling ×30 66.01 / 68.20.</p>
        """, howTo: "")
    }

    func fewShotBody(_ table: FewShotProtocol.Table, source: String) -> String {
        let categories = table.shots.map { "n_f = \($0)" }
        let series = table.rows.map { row in
            Charts.Series(name: row.method, values: table.shots.map { n in 100 * (row.cells.first { $0.shots == n }?.harmonicMean ?? .nan) })
        }
        var body = Charts.bars(title: "acc_h (harmonic mean of majority and minority accuracy), % — mean over the draws run",
                               categories: categories, series: series, axis: "acc_h, %", maximum: 100, format: { String(format: "%.1f", $0) })
        body += Self.table(["method"] + table.shots.flatMap { ["acc_h n_f=\($0)", "acc n_f=\($0)"] }, table.rows.map { row in
            [row.method] + table.shots.flatMap { n -> [String] in
                guard let e = row.cells.first(where: { $0.shots == n }) else { return ["–", "–"] }
                // One draw has no spread to show.
                if e.draws == 1 { return [String(format: "%.2f", 100 * e.harmonicMean), String(format: "%.2f", 100 * e.accuracyMean)] }
                return [String(format: "%.2f ± %.2f", 100 * e.harmonicMean, 100 * e.harmonicStd),
                        String(format: "%.2f ± %.2f", 100 * e.accuracyMean, 100 * e.accuracyStd)]
            }
        })
        return "<h3>\(Self.escape((source as NSString).deletingLastPathComponent))</h3>" + body + Self.source(source)
    }
}
