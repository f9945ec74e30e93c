import Dataset
import Foundation
import Tensor
import Vision

/// The files of an evaluation in a folder — what `fashion train` and `fashion evaluate` leave:
/// `evaluation.md` (tables for people), `evaluation.json` (accuracy, the paper's majority,
/// minority and `acc_h`, per-class metrics, confusion matrix), `per_class.csv` (one row per
/// class), `predictions.csv` (one row per photo) and `samples.png` (a contact sheet of sample
/// predictions). Each is written atomically.
public enum EvaluationFiles {
    /// `evaluation.json`: ``Evaluation``'s keys and, when there are minority classes, the
    /// paper's figures — `minority_classes` (names), `majority_accuracy`, `minority_accuracy`,
    /// `acc_h`. Scalars a pandas user reads with `pd.Series(json.load(f))`; the per-class
    /// table is `per_class.csv`.
    public static func summaryJSON(_ evaluation: Evaluation, minority: Set<Int>) throws -> Data {
        struct Summary: Encodable {
            let evaluation: Evaluation, minority: Set<Int>
            enum Keys: String, CodingKey {
                case minorityClasses = "minority_classes", majorityAccuracy = "majority_accuracy"
                case minorityAccuracy = "minority_accuracy", harmonic = "acc_h"
            }
            func encode(to encoder: Encoder) throws {
                try evaluation.encode(to: encoder)
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(minority.sorted().map { evaluation.classes[$0] }, forKey: .minorityClasses)
                guard !minority.isEmpty else { return }
                let h = evaluation.harmonicAccuracy(minority: minority)
                try c.encode(h.majority, forKey: .majorityAccuracy)
                try c.encode(h.minority, forKey: .minorityAccuracy)
                try c.encode(h.harmonic, forKey: .harmonic)
            }
        }
        return try JSONStyle.encoder().encode(Summary(evaluation: evaluation, minority: minority.filter { evaluation.classes.indices.contains($0) }))
    }

    /// `per_class.csv`, one row per class: `class,support,precision,recall,f1,minority` (recall is
    /// the class's accuracy; an undefined figure is an empty cell, which pandas reads as NaN).
    public static func perClassCSV(_ evaluation: Evaluation, minority: Set<Int>) -> String {
        func cell(_ v: Double?) -> String { v.map { String(format: "%.9g", $0) } ?? "" }
        var csv = TextTable.csvLine(["class", "support", "precision", "recall", "f1", "minority"])
        for (c, m) in evaluation.perClass.enumerated() {
            csv += TextTable.csvLine([m.name, String(m.support), cell(m.precision), cell(m.recall), cell(m.f1), minority.contains(c) ? "true" : "false"])
        }
        return csv
    }

    /// `predictions.csv`, one row per photo: `file,truth,prediction,probability` and the next
    /// classes with theirs (`top2,top2_probability,…`).
    public static func predictionsCSV(names: [String], truth: [Int], classes: [String],
                                      top: [[(label: Int, probability: Float)]]) -> String {
        let k = top.map(\.count).max() ?? 1
        var header = ["file", "truth", "prediction", "probability"]
        for r in stride(from: 2, through: k, by: 1) { header += ["top\(r)", "top\(r)_probability"] }
        var csv = TextTable.csvLine(header)
        for (i, row) in top.enumerated() where i < names.count && i < truth.count {
            var fields = [names[i], classes[truth[i]]]
            for entry in row { fields += [classes[entry.label], String(format: "%.6f", entry.probability)] }
            csv += TextTable.csvLine(fields)
        }
        return csv
    }

    /// A contact sheet of `count` seeded sample photos: each framed green (right) or red
    /// (wrong), captioned with its true class (`T`) and the prediction with its probability (`P`).
    public static func samplesSheet(images: (Int) -> Image, names classes: [String], truth: [Int],
                                    top: [[(label: Int, probability: Float)]], count: Int, seed: UInt64,
                                    columns: Int = 6, side: Int = 160) -> Image? {
        let n = min(truth.count, top.count)
        guard count > 0, n > 0 else { return nil }
        var g = RandomGenerator(seed: seed)
        let chosen = g.permutation(n).prefix(count).sorted()
        let tiles = chosen.compactMap { i -> ContactSheet.Tile? in
            guard let best = top[i].first else { return nil }
            let right = best.label == truth[i]
            return ContactSheet.Tile(image: images(i),
                                     captions: ["T " + classes[truth[i]],
                                                "P " + classes[best.label] + String(format: " %.0f%%", 100 * best.probability)],
                                     correct: right)
        }
        return tiles.isEmpty ? nil : ContactSheet.render(tiles, columns: columns, side: side)
    }

    /// Writes `evaluation.md`, `evaluation.json`, `per_class.csv`, `predictions.csv` (photo names from `cache`)
    /// and, when `samples` > 0, `samples.png` into `folder`.
    public static func write(_ evaluation: Evaluation, title: String, minority: Set<Int>, cache: ImageCache,
                             top: [[(label: Int, probability: Float)]], samples: Int, seed: UInt64, to folder: URL) throws {
        try write(evaluation, title: title, minority: minority, names: cache.header.names, truth: cache.header.labels, top: top,
                  images: { cache.image($0) }, samples: samples, seed: seed, to: folder)
    }

    /// Writes the files for examples named `names`, of classes `truth`, whose images
    /// `images(i)` gives.
    public static func write(_ evaluation: Evaluation, title: String, minority: Set<Int>, names: [String], truth: [Int],
                             top: [[(label: Int, probability: Float)]], images: (Int) -> Image,
                             samples: Int, seed: UInt64, to folder: URL) throws {
        try AtomicFile.createFolder(folder)
        let csv = predictionsCSV(names: names, truth: truth, classes: evaluation.classes, top: top)
        try AtomicFile.write(Data(csv.utf8), to: folder.appendingPathComponent("predictions.csv"))
        try AtomicFile.write(Data(evaluation.markdown(title: title, minority: minority).utf8), to: folder.appendingPathComponent("evaluation.md"))
        try AtomicFile.write(summaryJSON(evaluation, minority: minority), to: folder.appendingPathComponent("evaluation.json"))
        try AtomicFile.write(Data(perClassCSV(evaluation, minority: minority).utf8), to: folder.appendingPathComponent("per_class.csv"))
        if let sheet = samplesSheet(images: images, names: evaluation.classes, truth: truth, top: top,
                                    count: samples, seed: seed) {
            try sheet.write(to: folder.appendingPathComponent("samples.png"))
        }
    }
}
