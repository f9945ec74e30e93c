import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Top-k classes of photos under a checkpoint.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Top-k classes with probabilities for each image, under a ResNet-18 checkpoint.")

    @Option(help: "A checkpoint written by `fashion train`/`train-mnist` (or a PyTorch ResNet-18 state dict in safetensors).")
    var checkpoint: String

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    @Option(help: "Classes to list per image.") var top = 5
    @Flag(help: "Prepare each photo first (background to white, crop to the subject) as `fashion prepare` does.")
    var prepare = false
    /// The formats `predict` writes (a typo or `html` is an error listing these, not ignored).
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }
    @Option(help: "Output format.") var format: Format = .text

    struct Row: Codable { let image: String; let classes: [String]; let probabilities: [Double] }

    func run() throws {
        let (model, metadata) = try Checkpoint.load(contentsOf: URL(fileURLWithPath: checkpoint))
        model.eval()
        let classes = metadata?.classes ?? (0..<model.fc.weight.shape[0]).map { "class \($0)" }
        let size = metadata?.inputSize ?? 224
        let channels = model.conv1.weight.shape[1]
        let mean = metadata?.mean ?? [Float](repeating: 0, count: channels), std = metadata?.std ?? [Float](repeating: 1, count: channels)
        var rows: [Row] = [], failures: [String] = []
        for path in images {
            do {
                let url = URL(fileURLWithPath: path)
                var image: Image
                if prepare {
                    image = try PhotoPreparer(size: size).prepare(contentsOf: url).image
                } else {
                    let decoded = try Image(contentsOf: url, options: DecodingOptions(minimumShorterSide: 2 * size))
                    image = PlanarImage(decoded).paddedToSquare(fill: 1).resized(height: size, width: size).image()
                }
                var planar = PlanarImage(image)
                if planar.channels == 3 && channels == 1 {
                    planar = PlanarImage(channels: 1, height: size, width: size, values: planar.grayscalePlane())
                } else if planar.channels == 1 && channels == 3 {
                    planar = PlanarImage(channels: 3, height: size, width: size, values: planar.values + planar.values + planar.values)
                }
                let input = Tensor(shape: [1, channels, size, size], scalars: planar.normalized(mean: mean, std: std).values)
                let logits = withNoGrad { model(input) }.scalars
                let peak = logits.max() ?? 0
                let exps = logits.map { Double(exp($0 - peak)) }
                let total = exps.reduce(0, +)
                let ranked = exps.indices.sorted { exps[$0] > exps[$1] }.prefix(max(1, top))
                rows.append(Row(image: path, classes: ranked.map { classes[$0] }, probabilities: ranked.map { exps[$0] / total }))
            } catch {
                failures.append("\(error)")
            }
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        case .csv:
            print(TextTable.csvLine(["image", "rank", "class", "probability"]), terminator: "")
            for r in rows { for (i, c) in r.classes.enumerated() { print(TextTable.csvLine([r.image, String(i + 1), c, String(format: "%.6f", r.probabilities[i])]), terminator: "") } }
        case .text:
            for r in rows {
                print(r.image)
                for (c, p) in zip(r.classes, r.probabilities) { print(String(format: "  %6.2f %%  %@", 100 * p, c)) }
            }
        }
        for f in failures { FileHandle.standardError.write(Data("skipped \(f)\n".utf8)) }
        if rows.isEmpty && !failures.isEmpty { throw ExitCode(1) }
    }
}
