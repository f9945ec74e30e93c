import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// ResNet-18 from scratch on Fashion-MNIST (real data nobody here made).
struct TrainMNIST: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-mnist",
        abstract: "Train ResNet-18 from scratch on Fashion-MNIST (Debian's dataset-fashion-mnist); resumable.")

    @Option(name: [.customLong("out"), .customLong("output")], help: "Run folder (checkpoints, log.jsonl, evaluation). An existing run of the same configuration is resumed.")
    var out = "runs/fashion-mnist"
    @Option(help: "Epochs in total.") var epochs = 5
    @Option(help: "Stop after this many epochs in this invocation (resume later).") var epochsThisRun: Int?
    @Option(help: "Batch size.") var batchSize = 128
    @OptionGroup var optimizerOptions: OptimizerOptions
    /// `--stem` (the small-image stems; `imagenet` is K-Fashion's).
    enum StemOption: String, ExpressibleByArgument, CaseIterable { case compact, small }
    @Option(help: "Stem: compact (3×3 conv + max-pool, layer1 at 14×14) or small (3×3 conv, layer1 at 28×28).") var stem: StemOption = .compact
    @Flag(help: "No augmentation (random crop with 2 px padding, horizontal flip).") var noAugment = false
    @Option(help: "Padding of the random crop (0: horizontal flips only).") var cropPadding = 2
    @Option(help: "Use only this many training images per epoch (quick runs).") var limit: Int?
    @Option(help: "Evaluate on only the first this many test images after each epoch (quick runs; default: all 10,000).") var testLimit: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Flag(name: [.customLong("restart"), .customLong("overwrite")], help: "Start afresh even if the folder holds a run.") var restart = false
    @Option(help: "Directory of Fashion-MNIST's gzip IDX files.") var data = FashionMNIST.defaultDirectory
    @Flag(help: "Also write initial.safetensors (the untrained weights) and batch-order.json (each epoch's training indices) into the run folder, for Tools/pytorch_parity.py.")
    var exportParity = false
    @Option(help: "Sample predictions on samples.png (0: none).") var samples = 24
    @OptionGroup var kernelOptions: KernelOptions

    static let defaults = OptimizerOptions.Defaults(optimizer: .adam, lr: 2e-3, weightDecay: 5e-4, schedule: .cosine)

    func validate() throws {
        guard epochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be 1 or more") }
        if let epochsThisRun, epochsThisRun < 1 { throw ValidationError("--epochs-this-run must be 1 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be 1 or more") }
        guard cropPadding >= 0, samples >= 0 else { throw ValidationError("--crop-padding and --samples must be 0 or more") }
    }

    func run() throws {
        kernelOptions.apply()
        guard let stemKind = ResNet18.Stem(rawValue: stem.rawValue) else { throw ValidationError("--stem: compact, small or imagenet") }
        let o = optimizerOptions.resolved(Self.defaults, epochs: epochs)
        let train = try FashionMNIST(split: .train, directory: data)
        let test = try FashionMNIST(split: .test, directory: data)
        let source = FashionMNISTData(train: train, test: test, batchSize: batchSize, augment: !noAugment, padding: cropPadding, seed: seed, limit: limit, testLimit: testLimit)
        let configuration = TrainingConfiguration(epochs: epochs, learningRate: o.lr, optimizer: o.optimizer, schedule: o.schedule,
                                                  labelSmoothing: optimizerOptions.labelSmoothing, seed: seed)
        let model = ResNet18(classes: 10, inputChannels: 1, stem: stemKind, initialization: .torchvision, seed: seed)
        let metadata = CheckpointMetadata(classes: FashionMNIST.classNames, inputChannels: 1, inputSize: 28, stem: stemKind,
                                          mean: [FashionMNISTData.mean], std: [FashionMNISTData.std])
        let folder = URL(fileURLWithPath: out)
        if restart { try? FileManager.default.removeItem(at: folder) }
        let trainer = Trainer(model: model, configuration: configuration, metadata: metadata, directory: folder)
        if exportParity {
            try writeParityFiles(model: model, metadata: metadata, source: source, folder: folder, names: o.names, lr: o.lr,
                                 weightDecay: optimizerOptions.weightDecay ?? Self.defaults.weightDecay)
        }
        let started = Date()
        let progress = TrainingProgress(totalEpochs: epochs, epochsThisRun: epochsThisRun, validationExamples: source.testCount,
                                        validationName: "test") { r in
            String(format: "epoch %d: lr %.2e  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.0f s (%.0f img/s)%@",
                   r.epoch, r.learningRate, r.trainLoss, 100 * r.trainAccuracy, r.validationLoss, 100 * r.validationAccuracy,
                   r.seconds, r.imagesPerSecond, r.best ? "  (best)" : "")
        }
        try trainer.run(data: source, epochLimit: epochsThisRun) { progress.handle($0, folder: out) }
        // The last epoch's model on the test set: evaluation files, per-image predictions, samples
        // (from that epoch's test pass when it ran in this process).
        let (truth, top): ([Int], [[(label: Int, probability: Float)]])
        if let seen = trainer.lastValidation, let ranked = trainer.lastValidationTop {
            (truth, top) = (seen.truth, ranked)
        } else {
            (truth, top) = ClassifierEpoch.predictTopK(model, batches: source.validationBatches(), k: 3)
        }
        let evaluation = Evaluation(classes: FashionMNIST.classNames, truth: truth, predictions: top.map { $0.first?.label ?? 0 })
        let plane = test.rows * test.columns
        try EvaluationFiles.write(evaluation, title: "Fashion-MNIST test set, last epoch", minority: [],
                                  names: (0..<source.testCount).map { "test/\($0)" }, truth: truth, top: top,
                                  images: { i in Image(width: test.columns, height: test.rows, channels: 1,
                                                       pixels: Array(test.pixels[(i * plane)..<((i + 1) * plane)])) },
                                  samples: samples, seed: seed, to: folder)
        print(String(format: "test accuracy (last epoch) %.2f%%; wall time this run %.0f s; %@/evaluation.md, predictions.csv, samples.png", 100 * evaluation.accuracy,
                     Date().timeIntervalSince(started), out))
    }

    /// The untrained weights and every epoch's batch order, so that PyTorch can replay the run
    /// (``ParityExport``).
    func writeParityFiles(model: ResNet18, metadata: CheckpointMetadata, source: FashionMNISTData, folder: URL,
                          names: (optimizer: String, schedule: String), lr: Double, weightDecay: Double) throws {
        let order = ParityExport.BatchOrder(batchSize: batchSize, learningRate: lr, weightDecay: weightDecay, optimizer: names.optimizer,
                                            schedule: names.schedule, labelSmoothing: optimizerOptions.labelSmoothing, augment: !noAugment,
                                            mean: FashionMNISTData.mean, std: FashionMNISTData.std,
                                            epochs: (0..<epochs).map { source.trainingOrder(epoch: $0) })
        do { try ParityExport.write(model: model, metadata: metadata, order: order, to: folder) } catch let e as TrainerError {
            throw ValidationError("--export-parity: \(e.reason)")
        }
    }
}
