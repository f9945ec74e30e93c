import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Mission 1-2: ResNet-18 from scratch on the 31 style×gender classes (``KFashionTrainingRun``).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 1-2: train ResNet-18 from scratch on style×gender classes (presets camp, baseline, reduced); resumable.")

    /// `--preset`: a typo is an error listing the choices.
    enum Preset: String, ExpressibleByArgument, CaseIterable {
        case camp, baseline, reduced
        var recipe: KFashionData.Preset {
            switch self { case .camp: return .camp; case .baseline: return .baseline; case .reduced: return .reduced }
        }
    }

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Prepared photos (`fashion prepare` output); prepared here first when missing.") var prepared = "data/prepared"
    @Option(help: "Preset: camp (the seed's final recipe), baseline (no augmentation), reduced (camp shrunk for a 2-core CPU).")
    var preset: Preset = .reduced
    @Option(name: [.customLong("out"), .customLong("output")], help: "Run folder (checkpoints, log.jsonl, evaluation).") var out = "runs/kfashion"
    @Option(help: "Epochs in total (camp and baseline: 50; reduced: 6).") var epochs: Int?
    @Option(help: "Stop after this many epochs in this invocation (resume later).") var epochsThisRun: Int?
    @Option(help: "Image side (overrides the preset).") var imageSize: Int?
    @Option(help: "Per-class augmentation target (overrides the preset).") var target: Int?
    @Option(help: "Batch size (overrides the preset).") var batchSize: Int?
    @OptionGroup var optimizerOptions: OptimizerOptions
    @Option(help: "Initialisation: kaiming-uniform (the camp's) or torchvision.") var initialization: InitializationOption = .kaimingUniform
    @Option(help: "Sample predictions on samples.png (0: none).") var samples = 24
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Flag(name: [.customLong("restart"), .customLong("overwrite")], help: "Start afresh even if the folder holds a run.") var restart = false
    @Option(help: ArgumentHelp("Batch norm's training statistics over groups of this many images of a batch (ghost batch norm). Under `mpirun -np N` each process takes batch/N images; one process with --bn-group-size batch/N computes the same weights.", valueName: "n"))
    var bnGroupSize: Int?
    @OptionGroup var kernelOptions: KernelOptions

    static let defaults = OptimizerOptions.Defaults(optimizer: .adam, lr: 1e-3, weightDecay: 0, schedule: .constant)

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be 1 or more") }
        if let imageSize, !(8...1024).contains(imageSize) { throw ValidationError("--image-size must be in 8…1024") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be 1 or more") }
        if let target, target < 0 { throw ValidationError("--target must be 0 or more") }
        if let epochsThisRun, epochsThisRun < 1 { throw ValidationError("--epochs-this-run must be 1 or more") }
        guard samples >= 0 else { throw ValidationError("--samples must be 0 or more") }
        if let bnGroupSize, bnGroupSize < 1 { throw ValidationError("--bn-group-size must be 1 or more") }
    }

    func run() throws {
        kernelOptions.apply()
        var run = KFashionTrainingRun(prepared: URL(fileURLWithPath: prepared), folder: URL(fileURLWithPath: out))
        run.preset = preset.recipe
        if let imageSize { run.preset.imageSize = imageSize }
        if let target { run.preset.target = target }
        if let batchSize { run.preset.batchSize = batchSize }
        run.epochs = epochs
        run.epochsThisRun = epochsThisRun
        let o = optimizerOptions.resolved(Self.defaults, epochs: run.totalEpochs)
        run.optimizer = o.optimizer; run.learningRate = o.lr; run.schedule = o.schedule
        run.labelSmoothing = o.labelSmoothing
        run.initialization = initialization == .torchvision ? .torchvision : .kaimingUniform
        run.samples = samples
        run.seed = seed; run.precision = kernelOptions.precision ?? .fp32
        run.restart = restart
        let world = try World.join()
        run.communicator = world; run.batchNormGroupSize = bnGroupSize
        // The data set, when it is there, decides whether the prepared photos are still its own;
        // without it, prepared photos are used as they are.
        let hasPrepared = FileManager.default.fileExists(atPath: URL(fileURLWithPath: prepared).appendingPathComponent("normalization.json").path)
        do { run.tree = try dataOptions.tree() } catch {
            guard hasPrepared else { throw error }
            print("note: no data set at \(dataOptions.data); using the prepared photos in \(prepared) as they are")
        }
        if !restart, world.isRoot { try OutputFolder.create(run.folder, option: "--out") }

        var bar: TerminalProgress?, barLabel = ""
        /// One progress line per phase: a new label finishes the previous line.
        func show(_ label: String, _ done: Int, _ total: Int) {
            if label != barLabel { bar?.finish(); bar = TerminalProgress(total: total, label: label); barLabel = label }
            bar?.update(done, of: total)
        }
        let progress = TrainingProgress(totalEpochs: run.totalEpochs, epochsThisRun: epochsThisRun, validationExamples: 0) { r in
            String(format: "epoch %d: train loss %.4f acc %.2f%%  validation loss %.4f acc %.2f%%  %.0f s (%.1f img/s)%@",
                   r.epoch, r.trainLoss, 100 * r.trainAccuracy, r.validationLoss, 100 * r.validationAccuracy,
                   r.seconds, r.imagesPerSecond, r.best ? "  (best)" : "")
        }
        let outcome = try run.run { event in
            switch event {
            case .preparingBecause(let why): print(why)
            case .preparing(let done, let total): show("prepare: photos", done, total)
            case .caching(let split, let done, let total): show("cache: \(split.rawValue) photos at \(run.preset.imageSize) px", done, total)
            case .ready(let classes, let photos, let items, let validation):
                bar?.finish(); bar = nil
                progress.validationExamples = validation
                print("\(classes) classes; training: \(photos) photos → \(items) items an epoch"
                      + (run.preset.augment ? " (augmented towards \(run.preset.target) a class)" : "") + "; validation: \(validation)")
            case .trainer(let e): progress.handle(e, folder: out)
            case .evaluating: print("evaluating the best checkpoint on the validation photos")
            }
        }
        printError(SkippedFile.summary(outcome.skipped))
        let evaluation = outcome.evaluation
        let h = evaluation.harmonicAccuracy(minority: outcome.minority)
        print(String(format: "best validation accuracy %.2f%% (chance %.2f%%); majority %.2f%%, minority %.2f%%, acc_h %.2f%%",
                     100 * evaluation.accuracy, 100 / Double(evaluation.classes.count), 100 * h.majority, 100 * h.minority, 100 * h.harmonic))
        let ranked = evaluation.classesByAccuracy
        if let low = ranked.first, let high = ranked.last {
            print(String(format: "lowest %@ %.1f%%, highest %@ %.1f%%; evaluation.md, predictions.csv and samples.png in %@",
                         low.name, 100 * low.accuracy, high.name, 100 * high.accuracy, out))
        }
        if !outcome.finished { print("stopped after epoch \(outcome.records.count) of \(run.totalEpochs); run the same command to go on") }
        World.finish(world)
    }
}

/// `--initialization`: a typo is an error listing the choices, not a silent fallback.
enum InitializationOption: String, ExpressibleByArgument, CaseIterable {
    case kaimingUniform = "kaiming-uniform"
    case torchvision
}
