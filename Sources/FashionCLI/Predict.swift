import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Top-k classes of photos under a checkpoint (``Predictor``).
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Top-k classes with probabilities for each photo (or every JPEG/PNG in a folder), under a ResNet-18 checkpoint.")

    @Option(help: "A checkpoint written by `fashion train`/`train-mnist` (or a PyTorch ResNet-18 state dict in safetensors).")
    var checkpoint: String

    @Argument(help: "JPEG or PNG files, or folders (every .jpg/.jpeg/.png in them, sorted by name).")
    var images: [String]

    /// How a photo is prepared before the model sees it.
    enum Preparation: String, ExpressibleByArgument, CaseIterable {
        /// As the checkpoint's training photos were (its metadata); pad and resize when it says nothing.
        case asTrained = "as-trained"
        /// Background found by flood fill, cropped to the subject (`fashion prepare`'s default).
        case flood
        /// Background already white (a cut-out).
        case white
        /// Only padded to a white square and resized (photos prepared already).
        case none
    }
    @Option(help: "Preparation: as-trained (as the checkpoint's training photos were, from its metadata), flood, white, or none (photos prepared already: only padded and resized).")
    var preparation: Preparation = .asTrained
    @Option(help: "Classes to list per photo.") var top = 5
    /// The formats `predict` writes (a typo or `html` is an error listing these, not ignored).
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }
    @Option(help: "Output format: text, csv (image, rank, class, probability) or json (the same rows as records: pandas' read_json reads it).") var format: Format = .text
    @OptionGroup var kernelOptions: KernelOptions

    struct Row: Codable { let image: String; let classes: [String]; let probabilities: [Double] }
    /// One ranked class of one photo: the long shape CSV and JSON share.
    struct Record: Codable { let image: String; let rank: Int; let `class`: String; let probability: Double }

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be 1 or more") }
    }

    /// The photo files `images` names: files as given, folders' JPEG and PNG files sorted.
    static func photoPaths(_ images: [String]) throws -> [String] {
        var paths: [String] = []
        for path in images {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                paths.append(path); continue
            }
            let names = try DirectoryListing.fileNames(in: URL(fileURLWithPath: path))
                .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            guard !names.isEmpty else { throw ValidationError("\(path): no .jpg, .jpeg or .png file in the folder") }
            paths += names.sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0).relativePath }
        }
        return paths
    }

    func run() throws {
        kernelOptions.apply()
        let predictor = try Predictor(checkpoint: URL(fileURLWithPath: checkpoint))
        for d in predictor.metadataDefaults {
            printError("warning: \(checkpoint): \(d) (Docs/CHECKPOINTS.md)\n")
        }
        let mode: Predictor.Preparation
        switch preparation {
        case .asTrained: mode = .asTrained
        case .flood: mode = .recipe(PhotoPreparer(size: predictor.inputSize).recipe)
        case .white: mode = .recipe(PhotoPreparer(size: predictor.inputSize, background: .alreadyWhite).recipe)
        case .none: mode = .padAndResize
        }
        do { _ = try predictor.preparer(for: mode) } catch let e as PredictorError {
            throw ValidationError("\(checkpoint): \(e.reason) (--preparation none)")
        }
        let paths = try Self.photoPaths(images)
        var rows: [Row] = [], failures: [SkippedFile] = []
        let bar = paths.count > 20 ? TerminalProgress(total: paths.count, label: "predict: photos") : nil
        // In batches: decoding and preparing one batch, then one forward pass.
        for start in stride(from: 0, to: paths.count, by: 32) {
            var inputs: [PlanarImage] = [], names: [String] = []
            for path in paths[start..<min(paths.count, start + 32)] {
                do {
                    inputs.append(try predictor.input(contentsOf: URL(fileURLWithPath: path), preparation: mode))
                    names.append(path)
                } catch {
                    failures.append(SkippedFile(path: path, reason: "\(error)"))
                }
            }
            for (name, ranked) in zip(names, predictor.predict(inputs: inputs, top: top)) {
                rows.append(Row(image: name, classes: ranked.map(\.className), probabilities: ranked.map { Double($0.probability) }))
            }
            bar?.update(min(paths.count, start + 32))
        }
        bar?.finish()
        switch format {
        case .json:
            let records = rows.flatMap { r in r.classes.indices.map { Record(image: r.image, rank: $0 + 1, class: r.classes[$0], probability: r.probabilities[$0]) } }
            print(String(decoding: try JSONStyle.encoder().encode(records), as: UTF8.self))
        case .csv:
            print(TextTable.csvLine(["image", "rank", "class", "probability"]), terminator: "")
            for r in rows { for (i, c) in r.classes.enumerated() { print(TextTable.csvLine([r.image, String(i + 1), c, String(format: "%.6f", r.probabilities[i])]), terminator: "") } }
        case .text:
            for r in rows {
                print(r.image)
                for (c, p) in zip(r.classes, r.probabilities) { print(String(format: "  %6.2f %%  %@", 100 * p, c)) }
            }
        }
        for f in failures {
            // Decoding errors name the file already.
            printError("skipped \(f.reason.contains(f.path) ? f.reason : f.description)\n")
        }
        if rows.isEmpty && !failures.isEmpty { throw ExitCode(1) }
    }
}
