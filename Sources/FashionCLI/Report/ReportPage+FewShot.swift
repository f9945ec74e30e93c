import Dataset
import Foundation
import Models
import Tensor
import Vision

/// The paper's few-shot table on the report page.
extension ReportPage {
    // MARK: The paper — few-shot protocol

    func fewShot() -> Section {
        let missing = Section(id: "fewshot", title: "The paper: VAE latent sampling, few-shot protocol", body: nil,
                              howTo: "Make it with <code>fashion fewshot --quick --out DIR/runs/fewshot</code>.")
        // Every run folder: its table.json, or the table of its cells.json (runs from before table.json).
        var bodies: [String] = []
        for folder in Set(folders(holding: "table.json") + folders(holding: "cells.json")).sorted() {
            let prefix = folder.isEmpty ? "" : folder + "/"
            // table.json: records (since 2026-12-05) or the nested table of earlier runs.
            if let data = contents(prefix + "table.json"),
               let table = (try? JSONStyle.decoder().decode([FewShotProtocol.Table.Record].self, from: data)).map(FewShotProtocol.Table.init(records:))
                   ?? (try? JSONStyle.decoder().decode(FewShotProtocol.Table.self, from: data)), !table.rows.isEmpty {
                bodies.append(fewShotBody(table, source: prefix + "table.json"))
            } else if let data = contents(prefix + "cells.json"),
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
