import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Writes an evaluation's Markdown, JSON and sample-prediction contact sheet into a folder.
enum EvaluationOutput {
    static func write(_ evaluation: Evaluation, title: String, minority: Set<Int>, cache: ImageCache,
                      predictions: [Int], samples: Int, seed: UInt64, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
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
