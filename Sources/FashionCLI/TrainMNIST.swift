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
    @Option(help: ArgumentHelp("Batch norm's training statistics over groups of this many images of a batch (ghost batch norm). Under `mpirun -np N` each process takes batch/N images; one process with --bn-group-size batch/N computes the same weights.", valueName: "n"))
    var bnGroupSize: Int?
    @OptionGroup var kernelOptions: KernelOptions

    static let defaults = OptimizerOptions.Defaults(optimizer: .adam, lr: 2e-3, weightDecay: 5e-4, schedule: .cosine)

    func validate() throws {
        guard epochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be 1 or more") }
        if let epochsThisRun, epochsThisRun < 1 { throw ValidationError("--epochs-this-run must be 1 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be 1 or more") }
        guard cropPadding >= 0, samples >= 0 else { throw ValidationError("--crop-padding and --samples must be 0 or more") }
        if let bnGroupSize, bnGroupSize < 1 { throw ValidationError("--bn-group-size must be 1 or more") }
    }

    func run() throws {
        kernelOptions.apply()
        guard let stemKind = ResNet18.Stem(rawValue: stem.rawValue) else { throw ValidationError("--stem: compact, small or imagenet") }
        let o = optimizerOptions.resolved(Self.defaults, epochs: epochs)
        var run = FashionMNISTTrainingRun(folder: URL(fileURLWithPath: out))
        run.data = data
        run.epochs = epochs; run.epochsThisRun = epochsThisRun; run.batchSize = batchSize
        run.learningRate = o.lr; run.optimizer = o.optimizer; run.schedule = o.schedule
        run.labelSmoothing = optimizerOptions.labelSmoothing
        run.stem = stemKind; run.augment = !noAugment; run.cropPadding = cropPadding
        run.limit = limit; run.testLimit = testLimit; run.seed = seed; run.restart = restart; run.samples = samples
        run.precision = kernelOptions.precision ?? .fp32
        if exportParity { run.parityNames = o.names }
        let world = try World.join()
        run.communicator = world; run.batchNormGroupSize = bnGroupSize
        let started = Date()
        let progress = TrainingProgress(totalEpochs: epochs, epochsThisRun: epochsThisRun, validationExamples: run.testCount,
                                        validationName: "test") { r in
            String(format: "epoch %d: lr %.2e  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.0f s (%.0f img/s)%@",
                   r.epoch, r.learningRate, r.trainLoss, 100 * r.trainAccuracy, r.validationLoss, 100 * r.validationAccuracy,
                   r.seconds, r.imagesPerSecond, r.best ? "  (best)" : "")
        }
        let outcome = try run.run { progress.handle($0, folder: out) }
        print(String(format: "test accuracy (last epoch) %.2f%%; wall time this run %.0f s; %@/evaluation.md, predictions.csv, samples.png",
                     100 * outcome.evaluation.accuracy, Date().timeIntervalSince(started), out))
        World.finish(world)
    }
}
