import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Training runs on the report page: curves, per-class accuracy, confusion matrix, samples.
extension ReportPage {
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
}
