import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Writes an evaluation's Markdown, JSON, per-photo predictions and sample-prediction contact
/// sheet into a folder.
enum EvaluationOutput {
    /// `predictions.csv`, one row per photo: `file,truth,prediction,probability` and the next
    /// classes with theirs (`top2,top2_probability,…`).
    static func predictionsCSV(cache: ImageCache, top: [[(label: Int, probability: Float)]]) -> String {
        let k = top.map(\.count).max() ?? 1
        var header = ["file", "truth", "prediction", "probability"]
        for r in stride(from: 2, through: k, by: 1) { header += ["top\(r)", "top\(r)_probability"] }
        var csv = TextTable.csvLine(header)
        for (i, row) in top.enumerated() where i < cache.count {
            let classes = cache.header.classes
            var fields = [cache.header.names[i], classes[cache.header.labels[i]]]
            for entry in row { fields += [classes[entry.label], String(format: "%.6f", entry.probability)] }
            csv += TextTable.csvLine(fields)
        }
        return csv
    }

    static func write(_ evaluation: Evaluation, title: String, minority: Set<Int>, cache: ImageCache,
                      predictions: [Int], top: [[(label: Int, probability: Float)]]? = nil,
                      samples: Int, seed: UInt64, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let top {
            try AtomicFile.write(Data(predictionsCSV(cache: cache, top: top).utf8), to: folder.appendingPathComponent("predictions.csv"))
        }
        try AtomicFile.write(Data(evaluation.markdown(title: title, minority: minority).utf8), to: folder.appendingPathComponent("evaluation.md"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(evaluation), to: folder.appendingPathComponent("evaluation.json"))
        guard samples > 0, cache.count > 0 else { return }
        var g = RandomGenerator(seed: seed)
        let chosen = g.permutation(cache.count).prefix(samples).sorted()
        let tiles = chosen.map { i -> ContactSheet.Tile in
            let truth = cache.header.classes[cache.header.labels[i]], guess = cache.header.classes[predictions[i]]
            return ContactSheet.Tile(image: cache.image(i), captions: ["T " + truth, "P " + guess], correct: truth == guess)
        }
        try ContactSheet.render(tiles, columns: 6, side: 96).write(to: folder.appendingPathComponent("samples.png"))
    }
}
