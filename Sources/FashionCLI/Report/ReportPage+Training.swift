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
        // log.jsonl as the Trainer wrote it: one EpochRecord a line (snake_case keys since
        // 2026-11-24, camelCase before; JSONStyle's decoder reads both). A line that is not a
        // record is left out.
        var records: [EpochRecord] = []
        if let log = text(prefix + "log.jsonl") {
            let decoder = JSONStyle.decoder()
            records = log.split(separator: "\n").compactMap { try? decoder.decode(EpochRecord.self, from: Data($0.utf8)) }
        }
        // The last epoch marked best is the one whose checkpoint `best.safetensors` holds.
        let bestEpoch = records.lastIndex { $0.best }.map { $0 + 1 }
        // What the validation_* figures were measured on: Fashion-MNIST's test set says "test".
        let heldOut = records.last?.heldOut == "test" ? "test" : "validation"
        var body = "<div class=\"row\">"
        body += Charts.lines(title: "Loss", series: [.init(name: "training", values: records.map(\.trainLoss)),
                                                     .init(name: heldOut, values: records.map(\.validationLoss))],
                             axis: "cross-entropy", bestEpoch: bestEpoch)
        body += Charts.lines(title: "Accuracy (%)", series: [.init(name: "training", values: records.map(\.trainAccuracy)),
                                                             .init(name: heldOut, values: records.map(\.validationAccuracy))],
                             axis: "accuracy, %", bestEpoch: bestEpoch, percent: true)
        body += "</div>"
        if let bestEpoch, bestEpoch <= records.count {
            body += "<p>Best epoch \(bestEpoch) of \(records.count): \(Self.escape(heldOut)) accuracy "
                + String(format: "%.2f %%.</p>", 100 * records[bestEpoch - 1].validationAccuracy)
        }
        // evaluation.json as EvaluationFiles wrote it (Evaluation decodes its classes and confusion matrix).
        if let data = contents(prefix + "evaluation.json"),
           let evaluation = try? JSONDecoder().decode(Evaluation.self, from: data) {
            let recall = evaluation.perClassAccuracy.map { $0 ?? 0 }
            body += String(format: "<p>Evaluation: %d of %d correct (%.2f %%).</p>", evaluation.correct, evaluation.examples, 100 * evaluation.accuracy)
            body += "<div class=\"row\">"
            body += Charts.bars(title: "Accuracy per class (recall), %", categories: evaluation.classes,
                                series: [.init(name: "accuracy", values: recall.map { 100 * $0 })], axis: "% of the class's photos right",
                                maximum: 100, format: { String(format: "%.1f", $0) })
            body += Charts.confusion(title: "Confusion matrix (shade: share of the true class)", classes: evaluation.classes, matrix: evaluation.confusion)
            body += "</div>"
        }
        if let png = contents(prefix + "samples.png") {
            body += "<h3>Sample predictions</h3>" + Self.image(png, mime: "image/png", alt: "sample predictions", cssClass: "sheet")
        }
        return body + Self.source(prefix + "log.jsonl")
    }
}
