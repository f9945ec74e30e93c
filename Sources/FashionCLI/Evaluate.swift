import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Mission 1-2's evaluation of a checkpoint on the validation split.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint on the validation photos: accuracy, per-class accuracy, confusion matrix, acc_h, sample predictions.")

    @Option(help: "Checkpoint written by `fashion train` (its metadata gives classes, input size and normalisation).")
    var checkpoint: String
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Prepared photos (`fashion prepare` output); prepared here first when missing.") var prepared = "data/prepared"
    @Option(help: "Folder for evaluation.md, evaluation.json and samples.png.") var out = "runs/evaluation"
    @Option(help: "Sample predictions on the contact sheet (0: none).") var samples = 24
    @Option(help: "Random seed for choosing the samples.") var seed: UInt64 = 42

    func run() throws {
        let (model, found) = try Checkpoint.load(contentsOf: URL(fileURLWithPath: checkpoint))
        guard let metadata = found else {
            throw ValidationError("\(checkpoint) has no class list in its metadata (made outside this project?); use `fashion predict`")
        }
        guard metadata.inputChannels == 3 else {
            throw ValidationError("\(checkpoint): the model takes \(metadata.inputChannels)-channel images, K-Fashion photos have 3 (a Fashion-MNIST checkpoint? `fashion train-mnist` evaluates those on the test set)")
        }
        try dataOptions.ensurePrepared(prepared, size: metadata.inputSize)
        let preparedURL = URL(fileURLWithPath: prepared)
        let encoder = LabelEncoder(fitting: metadata.classes)
        guard encoder.classes == metadata.classes else {
            throw ValidationError("\(checkpoint): its \(metadata.classes.count) classes are not sorted as `fashion train` writes them (made by another tool?)")
        }
        let (validation, skipped) = try KFashionData.cache(prepared: preparedURL, split: .validation, size: metadata.inputSize, encoder: encoder)
        guard validation.count > 0 else {
            throw ValidationError("\(checkpoint): none of the \(skipped.count) validation photos in \(prepared) is of one of its \(metadata.classes.count) classes (\(metadata.classes.prefix(3).joined(separator: ", "))…)")
        }
        try SkippedReport.note(skipped, folder: URL(fileURLWithPath: out))
        var preset = KFashionData.Preset.baseline
        preset.imageSize = metadata.inputSize
        let data = KFashionData(training: validation, validation: validation, preset: preset, mean: metadata.mean, std: metadata.std)
        let (truth, top) = ClassifierEpoch.predictTopK(model, batches: data.validationBatches(), k: 3)
        let predictions = top.map { $0.first?.label ?? 0 }
        let evaluation = Evaluation(classes: metadata.classes, truth: truth, predictions: predictions)
        // acc_h's minority classes: the checkpoint's (decided from its training counts); for a
        // checkpoint without them, the same rule over the training photos of --prepared.
        let minority: Set<Int>
        if let names = metadata.minorityClasses {
            minority = Set(names.compactMap { metadata.classes.firstIndex(of: $0) })
        } else {
            let trainingNames = (try? DirectoryListing.fileNames(in: preparedURL.appendingPathComponent(Split.training.imageFolder))) ?? []
            var counts = [Int](repeating: 0, count: encoder.count)
            for name in trainingNames {
                if let key = try? ImageRecord(fileName: name).key, let label = encoder.encode(key.className) { counts[label] += 1 }
            }
            minority = Evaluation.minorityClasses(trainingCounts: counts)
            FileHandle.standardError.write(Data("\(checkpoint) records no minority classes: taken as those with fewer training photos in \(prepared) than the median class\n".utf8))
        }
        try EvaluationOutput.write(evaluation, title: "\(checkpoint) on the validation photos", minority: minority, cache: validation,
                                   predictions: predictions, top: top, samples: samples, seed: seed, to: URL(fileURLWithPath: out))
        let h = evaluation.harmonicAccuracy(minority: minority)
        print(String(format: "accuracy %.2f%% (%d of %d); majority %.2f%%, minority %.2f%%, acc_h %.2f%%",
                     100 * evaluation.accuracy, evaluation.correct, evaluation.examples, 100 * h.majority, 100 * h.minority, 100 * h.harmonic))
        let ranked = evaluation.classesByAccuracy
        if let low = ranked.first, let high = ranked.last {
            print(String(format: "lowest %@ %.1f%%, highest %@ %.1f%%", low.name, 100 * low.accuracy, high.name, 100 * high.accuracy))
        }
        print("wrote \(out)/evaluation.md, evaluation.json\(samples > 0 ? ", samples.png" : "")")
    }
}
