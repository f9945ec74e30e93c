import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Mission 1-2: ResNet-18 from scratch on the 31 style×gender classes.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 1-2: train ResNet-18 from scratch on style×gender classes (presets camp, baseline, reduced); resumable.")

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Prepared photos (`fashion prepare` output); prepared here first when missing.") var prepared = "data/prepared"
    @Option(help: "Preset: camp (the seed's final recipe), baseline (no augmentation), reduced (camp shrunk for a 2-core CPU).")
    var preset = "reduced"
    @Option(help: "Run folder (checkpoints, log.jsonl, evaluation).") var out = "runs/kfashion"
    @Option(help: "Epochs in total (camp and baseline: 50; reduced: 6).") var epochs: Int?
    @Option(help: "Stop after this many epochs in this invocation (resume later).") var epochsThisRun: Int?
    @Option(help: "Image side (overrides the preset).") var imageSize: Int?
    @Option(help: "Per-class augmentation target (overrides the preset).") var target: Int?
    @Option(help: "Batch size (overrides the preset).") var batchSize: Int?
    @Option(help: "Adam learning rate.") var lr = 1e-3
    @Option(help: "Initialisation: kaiming-uniform (the camp's) or torchvision.") var initialization: InitializationOption = .kaimingUniform
    @Option(help: "Label smoothing.") var labelSmoothing = 0.0
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Flag(help: "Start afresh even if the folder holds a run.") var restart = false

    func run() throws {
        var recipe: KFashionData.Preset
        switch preset {
        case "camp": recipe = .camp
        case "baseline": recipe = .baseline
        case "reduced": recipe = .reduced
        default: throw ValidationError("--preset: camp, baseline or reduced")
        }
        if let imageSize { recipe.imageSize = imageSize }
        if let target { recipe.target = target }
        if let batchSize { recipe.batchSize = batchSize }
        let initKind: ResNet18.Initialization = initialization == .torchvision ? .torchvision : .kaimingUniform
        let totalEpochs = epochs ?? (recipe.name == "reduced" ? 6 : 50)

        // Preparation (reused when done).
        let preparedURL = URL(fileURLWithPath: prepared)
        let normalizationURL = preparedURL.appendingPathComponent("normalization.json")
        if !FileManager.default.fileExists(atPath: normalizationURL.path) {
            print("preparing the photos at \(recipe.imageSize) px into \(prepared)")
            let bar = TerminalProgress(total: 1, label: "prepare: photos")
            _ = try PreparedSet(tree: try dataOptions.tree(), output: preparedURL, preparer: PhotoPreparer(size: recipe.imageSize)).run {
                bar.update($0, of: $1)
            }
            bar.finish()
        }
        let normalization = try JSONDecoder().decode(PreparedSet.NormalizationFile.self, from: Data(contentsOf: normalizationURL))

        // Classes and caches.
        let trainingNames = try DirectoryListing.fileNames(in: preparedURL.appendingPathComponent(Split.training.imageFolder))
        let encoder = LabelEncoder(fitting: trainingNames.compactMap { try? ImageRecord(fileName: $0).key.className })
        print("\(encoder.count) classes; caching prepared photos at \(recipe.imageSize) px")
        let (trainCache, s1) = try KFashionData.cache(prepared: preparedURL, split: .training, size: recipe.imageSize, encoder: encoder)
        let (validCache, s2) = try KFashionData.cache(prepared: preparedURL, split: .validation, size: recipe.imageSize, encoder: encoder)
        let data = KFashionData(training: trainCache, validation: validCache, preset: recipe,
                                mean: normalization.mean.map(Float.init), std: normalization.std.map(Float.init), seed: seed)
        print("training: \(trainCache.count) photos → \(data.items.count) items an epoch\(recipe.augment ? " (augmented towards \(recipe.target) a class)" : ""); validation: \(validCache.count)")

        let model = ResNet18(classes: encoder.count, inputChannels: 3, stem: .imagenet, initialization: initKind, seed: seed)
        var metadata = CheckpointMetadata(classes: encoder.classes, inputChannels: 3, inputSize: recipe.imageSize, stem: .imagenet,
                                          mean: data.mean, std: data.std)
        // acc_h's minority classes, fixed now from the training counts and kept in every checkpoint.
        let trainingCounts = trainCache.header.labels.reduce(into: [Int](repeating: 0, count: encoder.count)) { $0[$1] += 1 }
        let minority = Evaluation.minorityClasses(trainingCounts: trainingCounts)
        metadata.minorityClasses = minority.sorted().map { encoder.classes[$0] }
        // What a resume must find again: the recipe and the data it ran on.
        let recipeDescription: [String: String] = [
            "preset": recipe.name, "image_size": String(recipe.imageSize), "batch_size": String(recipe.batchSize),
            "augment": String(recipe.augment), "target": String(recipe.target), "weighted_sampler": String(recipe.weightedSampler),
            "fresh_augmentation": String(recipe.freshAugmentation), "initialization": initialization.rawValue,
            "classes": encoder.classes.joined(separator: " "), "training_photos": String(trainCache.count),
            "validation_photos": String(validCache.count),
            "mean": data.mean.map { String(format: "%.6f", $0) }.joined(separator: " "),
            "std": data.std.map { String(format: "%.6f", $0) }.joined(separator: " "),
        ]
        let config = TrainingConfiguration(epochs: totalEpochs, learningRate: lr, optimizer: .adam(weightDecay: 0),
                                           schedule: .constant, labelSmoothing: labelSmoothing, seed: seed, data: recipeDescription)
        let folder = URL(fileURLWithPath: out)
        if restart { try? FileManager.default.removeItem(at: folder) }
        try SkippedReport.note(s1 + s2, folder: folder)
        let trainer = Trainer(model: model, configuration: config, metadata: metadata, directory: folder)
        let progress = TrainingProgress(totalEpochs: totalEpochs, epochsThisRun: epochsThisRun, validationExamples: validCache.count) { r in
            String(format: "epoch %d: train loss %.4f acc %.2f%%  validation loss %.4f acc %.2f%%  %.0f s (%.1f img/s)%@",
                   r.epoch, r.trainLoss, 100 * r.trainAccuracy, r.validationLoss, 100 * r.validationAccuracy,
                   r.seconds, r.imagesPerSecond, r.best ? "  (best)" : "")
        }
        try trainer.run(data: data, epochLimit: epochsThisRun) { progress.handle($0, folder: out) }

        // Evaluation of the best checkpoint on the validation split.
        let (best, _) = try Checkpoint.load(contentsOf: trainer.bestCheckpoint)
        let (truth, top) = ClassifierEpoch.predictTopK(best, batches: data.validationBatches(), k: 3)
        let predictions = top.map { $0.first?.label ?? 0 }
        let evaluation = Evaluation(classes: encoder.classes, truth: truth, predictions: predictions)
        try EvaluationOutput.write(evaluation, title: "Mission 1-2, \(recipe.name) preset: best checkpoint on validation", minority: minority,
                                   cache: validCache, predictions: predictions, top: top, samples: 24, seed: seed, to: folder)
        let ranked = evaluation.classesByAccuracy
        let h = evaluation.harmonicAccuracy(minority: minority)
        print(String(format: "best validation accuracy %.2f%% (chance %.2f%%); majority %.2f%%, minority %.2f%%, acc_h %.2f%%",
                     100 * evaluation.accuracy, 100 / Double(encoder.count), 100 * h.majority, 100 * h.minority, 100 * h.harmonic))
        if let low = ranked.first, let high = ranked.last {
            print(String(format: "lowest %@ %.1f%%, highest %@ %.1f%%; per-class table, confusion matrix and samples.png in %@",
                         low.name, 100 * low.accuracy, high.name, 100 * high.accuracy, out))
        }
    }
}

/// `--initialization`: a typo is an error listing the choices, not a silent fallback.
enum InitializationOption: String, ExpressibleByArgument, CaseIterable {
    case kaimingUniform = "kaiming-uniform"
    case torchvision
}
