import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor

/// ResNet-18 from scratch on Fashion-MNIST (real data nobody here made).
struct TrainMNIST: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-mnist",
        abstract: "Train ResNet-18 from scratch on Fashion-MNIST (Debian's dataset-fashion-mnist); resumable.")

    @Option(help: "Run folder (checkpoints, log.jsonl, evaluation). An existing run of the same configuration is resumed.")
    var out = "runs/fashion-mnist"
    @Option(help: "Epochs in total.") var epochs = 5
    @Option(help: "Stop after this many epochs in this invocation (resume later).") var epochsThisRun: Int?
    @Option(help: "Batch size.") var batchSize = 128
    @Option(help: "Optimizer: adam or sgd (momentum 0.9, Nesterov).") var optimizer = "adam"
    @Option(help: "Base learning rate.") var lr = 2e-3
    @Option(help: "Weight decay (L2, added to the gradient as PyTorch's).") var weightDecay = 5e-4
    @Option(help: "Schedule: constant, cosine (to 0 over the epochs, per epoch), step (×0.1 every third of the run) or onecycle (PyTorch's OneCycleLR per batch, --lr as the peak).") var schedule = "cosine"
    @Option(help: "onecycle: fraction of the steps spent warming up (pct_start).") var warmup = 0.3
    @Option(help: "Label smoothing.") var labelSmoothing = 0.0
    @Option(help: "Stem: compact (3×3 conv + max-pool, layer1 at 14×14) or small (3×3 conv, layer1 at 28×28).") var stem = "compact"
    @Flag(help: "No augmentation (random crop with 2 px padding, horizontal flip).") var noAugment = false
    @Option(help: "Padding of the random crop (0: horizontal flips only).") var cropPadding = 2
    @Option(help: "Use only this many training images per epoch (quick runs).") var limit: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Flag(help: "Start afresh even if the folder holds a run.") var restart = false
    @Option(help: "Directory of Fashion-MNIST's gzip IDX files.") var data = FashionMNIST.defaultDirectory
    @Flag(help: "Also write initial.safetensors (the untrained weights) and batch-order.json (each epoch's training indices) into the run folder, for Tools/pytorch_parity.py.")
    var exportParity = false

    func run() throws {
        if ProcessInfo.processInfo.environment["FASHION_CONV_ALGORITHM"] == "im2col" { ConvolutionKernels.algorithm = .im2col }
        guard let stemKind = ResNet18.Stem(rawValue: stem) else { throw ValidationError("--stem: compact, small or imagenet") }
        let optimizerKind: TrainingConfiguration.OptimizerKind
        switch optimizer {
        case "adam": optimizerKind = .adam(weightDecay: weightDecay)
        case "sgd": optimizerKind = .sgd(momentum: 0.9, weightDecay: weightDecay, nesterov: true)
        default: throw ValidationError("--optimizer: adam or sgd")
        }
        let scheduleKind: LearningRateSchedule
        switch schedule {
        case "constant": scheduleKind = .constant
        case "cosine": scheduleKind = .cosine(epochs: epochs, minimum: 0)
        case "step": scheduleKind = .step(every: max(1, epochs / 3), gamma: 0.1)
        case "onecycle": scheduleKind = .oneCycle(epochs: epochs, warmup: warmup, div: 25, finalDiv: 1e4)
        default: throw ValidationError("--schedule: constant, cosine, step or onecycle")
        }
        let train = try FashionMNIST(split: .train, directory: data)
        let test = try FashionMNIST(split: .test, directory: data)
        let source = FashionMNISTData(train: train, test: test, batchSize: batchSize, augment: !noAugment, padding: cropPadding, seed: seed, limit: limit)
        let configuration = TrainingConfiguration(epochs: epochs, learningRate: lr, optimizer: optimizerKind, schedule: scheduleKind,
                                                  labelSmoothing: labelSmoothing, seed: seed)
        let model = ResNet18(classes: 10, inputChannels: 1, stem: stemKind, initialization: .torchvision, seed: seed)
        let metadata = CheckpointMetadata(classes: FashionMNIST.classNames, inputChannels: 1, inputSize: 28, stem: stemKind,
                                          mean: [FashionMNISTData.mean], std: [FashionMNISTData.std])
        let folder = URL(fileURLWithPath: out)
        if restart { try? FileManager.default.removeItem(at: folder) }
        let trainer = Trainer(model: model, configuration: configuration, metadata: metadata, directory: folder)
        if exportParity { try writeParityFiles(model: model, metadata: metadata, source: source, folder: folder) }
        let started = Date()
        let progress = TrainingProgress(totalEpochs: epochs, epochsThisRun: epochsThisRun, validationExamples: test.count,
                                        validationName: "test") { r in
            String(format: "epoch %d: lr %.2e  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.0f s (%.0f img/s)%@",
                   r.epoch, r.learningRate, r.trainLoss, 100 * r.trainAccuracy, r.validationLoss, 100 * r.validationAccuracy,
                   r.seconds, r.imagesPerSecond, r.best ? "  (best)" : "")
        }
        try trainer.run(data: source, epochLimit: epochsThisRun) { progress.handle($0, folder: out) }
        let (truth, predictions) = trainer.lastValidation ?? ClassifierEpoch.predict(model, batches: source.validationBatches())
        let evaluation = Evaluation(classes: FashionMNIST.classNames, truth: truth, predictions: predictions)
        try AtomicFile.write(Data(evaluation.markdown(title: "Fashion-MNIST test set, last epoch").utf8),
                             to: folder.appendingPathComponent("evaluation.md"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(evaluation), to: folder.appendingPathComponent("evaluation.json"))
        print(String(format: "test accuracy (last epoch) %.2f%%; wall time this run %.0f s; %@/evaluation.md", 100 * evaluation.accuracy,
                     Date().timeIntervalSince(started), out))
    }

    /// The untrained weights and every epoch's batch order, so that PyTorch can replay the run.
    func writeParityFiles(model: ResNet18, metadata: CheckpointMetadata, source: FashionMNISTData, folder: URL) throws {
        guard !FileManager.default.fileExists(atPath: folder.appendingPathComponent("log.jsonl").path) else {
            throw ValidationError("--export-parity needs a fresh run (add --restart): \(out) already holds epochs")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Checkpoint.save(model, metadata: metadata, to: folder.appendingPathComponent("initial.safetensors"))
        struct Order: Encodable {
            let batchSize: Int, learningRate: Double, weightDecay: Double, optimizer: String, schedule: String
            let labelSmoothing: Double, augment: Bool, mean: Float, std: Float, epochs: [[Int]]
        }
        let order = Order(batchSize: batchSize, learningRate: lr, weightDecay: weightDecay, optimizer: optimizer, schedule: schedule,
                          labelSmoothing: labelSmoothing, augment: !noAugment, mean: FashionMNISTData.mean, std: FashionMNISTData.std,
                          epochs: (0..<epochs).map { source.trainingOrder(epoch: $0) })
        try AtomicFile.write(JSONEncoder().encode(order), to: folder.appendingPathComponent("batch-order.json"))
    }
}
