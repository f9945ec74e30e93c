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
    /// `--recipe` (``FashionMNISTRecipe``).
    enum RecipeOption: String, ExpressibleByArgument, CaseIterable {
        case hour
        case hourBF16 = "hour-bf16"
        case fourHours = "four-hours"
        case fourHoursBF16 = "four-hours-bf16"
        var recipe: FashionMNISTRecipe { FashionMNISTRecipe.named(rawValue) ?? .hour }
    }
    @Option(help: ArgumentHelp("A named recipe, chosen on a validation split (Docs/RESULTS.md): hour (12 epochs of one-cycle SGD with crops and label smoothing: 93.6 % test in about an hour on two cores), hour-bf16 (16 epochs in bf16 with flips: 94.05 % test in 50 minutes on two cores with AVX512_BF16), four-hours (42 FP32 epochs with crops, random erasing, a weight average and test-time flips: 94.88 % test in 3 h 41 min on two cores of an AMD EPYC Zen 3; resumable in parts), four-hours-bf16 (the same for 56 epochs in bf16: 94.90 % test in 2 h 53 min on two cores with AVX512_BF16). Flags given as well override its settings.", valueName: "name"))
    var recipe: RecipeOption?
    @Option(help: "Epochs in total. Default: 5, or the recipe's.") var epochs: Int?
    @Option(help: "Stop after this many epochs in this invocation (resume later).") var epochsThisRun: Int?
    @Option(help: "Batch size.") var batchSize = 128
    @OptionGroup var optimizerOptions: OptimizerOptions
    /// `--stem` (the small-image stems; `imagenet` is K-Fashion's).
    enum StemOption: String, ExpressibleByArgument, CaseIterable { case compact, small }
    @Option(help: "Stem: compact (3×3 conv + max-pool, layer1 at 14×14) or small (3×3 conv, layer1 at 28×28). Default: compact, or the recipe's.") var stem: StemOption?
    @Flag(help: "No augmentation (random crop with 2 px padding, horizontal flip).") var noAugment = false
    @Option(help: "Padding of the random crop (0: horizontal flips only). Default: 2.") var cropPadding: Int?
    /// `--padding-mode` (torchvision's `padding_mode`).
    enum PaddingModeOption: String, ExpressibleByArgument, CaseIterable { case constant, edge, reflect, symmetric }
    @Option(help: "How the crop's padding is filled: constant (zeros), edge, reflect or symmetric (torchvision's padding_mode).")
    var paddingMode: PaddingModeOption = .constant
    @Option(help: ArgumentHelp("Probability of random erasing (torchvision's RandomErasing: area 2–33 %, aspect 0.3–3.3, erased to the mean; 0: none, the default).", valueName: "p"))
    var randomErasing: Float?
    @Option(help: ArgumentHelp("Hold out this many training images (a seeded permutation's last) to judge each epoch on; the test set is then read once, after the last epoch (0: judge each epoch on the test set). Default: 0, or the recipe's.", valueName: "n"))
    var validation: Int?
    @Option(help: ArgumentHelp("Evaluate and save an exponential moving average of the weights with this decay (e.g. 0.999; warm-up (1+n)/(10+n)); ema.safetensors holds it, best.safetensors too.", valueName: "decay"))
    var ema: Double?
    @Flag(help: "Test-time augmentation: evaluate on the mean of the logits of each image and its mirror image.") var tta = false
    @Flag(help: "Test-time augmentation: evaluate on half the logits of each image and a quarter each of those of the image shifted one pixel down-right and up-left (reflect padding); with --tta, airbench's tta_level=2.")
    var ttaShifts = false
    @Option(help: ArgumentHelp("Weight decay of biases and batch norm's parameters (default: --weight-decay's; 0 as timm's filter_bias_and_bn).", valueName: "wd"))
    var normBiasWeightDecay: Double?
    @Option(help: ArgumentHelp("Learning rate of biases and batch norm's parameters as a factor of the schedule's.", valueName: "factor"))
    var normBiasLrScale = 1.0
    @Option(help: ArgumentHelp("Lookahead around the optimiser (timm's Lookahead): every k-th step the slow weights move --lookahead-alpha of the way to the weights, which are reset to them (default: none).", valueName: "k"))
    var lookahead: Int?
    @Option(help: ArgumentHelp("Lookahead's α, the share of the way the slow weights move. (default: 0.5, timm's)", valueName: "alpha"))
    var lookaheadAlpha: Double?
    @Option(help: "Use only this many training images per epoch (quick runs).") var limit: Int?
    @Option(help: "Evaluate on only the first this many test images after each epoch (quick runs; default: all 10,000).") var testLimit: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Flag(name: [.customLong("restart"), .customLong("overwrite")], help: "Start afresh even if the folder holds a run.") var restart = false
    @Option(help: "Folder of Fashion-MNIST: Debian's gzip IDX files, the same decompressed, torchvision's root or raw folder, or Kaggle's CSV files.") var data = FashionMNIST.defaultDirectory
    @Flag(help: "Also write initial.safetensors (the untrained weights) and batch-order.json (each epoch's training indices) into the run folder, for Tools/pytorch_parity.py.")
    var exportParity = false
    @Option(help: "Sample predictions on samples.png (0: none).") var samples = 24
    @Option(help: ArgumentHelp("Batch norm's training statistics over groups of this many images of a batch (ghost batch norm). Under `mpirun -np N` each process takes batch/N images; one process with --bn-group-size batch/N computes the same weights.", valueName: "n"))
    var bnGroupSize: Int?
    @OptionGroup var kernelOptions: KernelOptions

    static let defaults = OptimizerOptions.Defaults(optimizer: .adam, lr: 2e-3, weightDecay: 5e-4, schedule: .cosine)

    var mode: PaddingMode {
        switch paddingMode {
        case .constant: return .constant(0)
        case .edge: return .edge
        case .reflect: return .reflect
        case .symmetric: return .symmetric
        }
    }

    /// The recipe's settings (nil: none) under the flags given.
    var chosenRecipe: FashionMNISTRecipe? { recipe?.recipe }
    var totalEpochs: Int { epochs ?? chosenRecipe?.epochs ?? 5 }
    var padding: Int { cropPadding ?? chosenRecipe?.cropPadding ?? 2 }
    var erasing: Float { randomErasing ?? chosenRecipe?.erasing ?? 0 }
    var heldOut: Int { validation ?? chosenRecipe?.validation ?? 0 }
    /// `--stem`'s network stem, else the recipe's, else compact.
    var stemKind: ResNet18.Stem {
        switch stem {
        case .compact: return .compact
        case .small: return .small
        case nil: return chosenRecipe?.stem ?? .compact
        }
    }
    /// The optimiser flags' defaults: the recipe's, else the command's.
    var optimizerDefaults: OptimizerOptions.Defaults {
        guard let r = chosenRecipe else { return Self.defaults }
        return OptimizerOptions.Defaults(optimizer: .sgd, lr: r.learningRate, weightDecay: r.weightDecay, schedule: .onecycle,
                                         warmup: r.warmup, labelSmoothing: r.labelSmoothing)
    }

    func validate() throws {
        guard totalEpochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be 1 or more") }
        if let epochsThisRun, epochsThisRun < 1 { throw ValidationError("--epochs-this-run must be 1 or more") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be 1 or more") }
        guard padding >= 0, samples >= 0 else { throw ValidationError("--crop-padding and --samples must be 0 or more") }
        if let bnGroupSize, bnGroupSize < 1 { throw ValidationError("--bn-group-size must be 1 or more") }
        if padding > 0, let why = mode.problem(pad: padding, size: 28) { throw ValidationError("--padding-mode \(paddingMode.rawValue): \(why)") }
        guard (0...1).contains(erasing) else { throw ValidationError("--random-erasing \(erasing): a probability, 0 to 1") }
        guard (0..<60_000).contains(heldOut) else { throw ValidationError("--validation \(heldOut): 0 to 59,999 of Fashion-MNIST's 60,000 training images") }
        if let ema, !(ema > 0 && ema < 1) { throw ValidationError("--ema \(ema): a decay between 0 and 1 (e.g. 0.999)") }
        if let normBiasWeightDecay, !(normBiasWeightDecay >= 0 && normBiasWeightDecay.isFinite) {
            throw ValidationError("--norm-bias-weight-decay \(normBiasWeightDecay): 0 or more")
        }
        guard normBiasLrScale >= 0, normBiasLrScale.isFinite else { throw ValidationError("--norm-bias-lr-scale \(normBiasLrScale): 0 or more") }
        if let lookahead, lookahead < 1 { throw ValidationError("--lookahead \(lookahead): steps between synchronisations, 1 or more") }
        if let lookaheadAlpha {
            guard lookaheadAlpha > 0, lookaheadAlpha <= 1 else { throw ValidationError("--lookahead-alpha \(lookaheadAlpha): a share in (0, 1]") }
            guard lookahead != nil else { throw ValidationError("--lookahead-alpha needs --lookahead k") }
        }
        if kernelOptions.precision == nil, let recipe = chosenRecipe, let why = recipe.precision.unavailableReason {
            let fp32 = recipe.fp32Counterpart.map { "--recipe \($0.name) (its FP32 counterpart)" } ?? "--recipe hour"
            throw ValidationError("--recipe \(recipe.name) trains in \(recipe.precision.rawValue): \(why). Use \(fp32), or add --precision fp32")
        }
    }

    /// The run the flags describe: the recipe's settings (if any), each flag given over them.
    func configuredRun() throws -> FashionMNISTTrainingRun {
        let o = optimizerOptions.resolved(optimizerDefaults, epochs: totalEpochs)
        var run = FashionMNISTTrainingRun(folder: URL(fileURLWithPath: out))
        run.data = data
        run.epochs = totalEpochs; run.epochsThisRun = epochsThisRun; run.batchSize = batchSize
        run.learningRate = o.lr; run.optimizer = o.optimizer; run.schedule = o.schedule
        run.labelSmoothing = o.labelSmoothing
        run.stem = stemKind; run.augment = !noAugment; run.cropPadding = padding
        run.limit = limit; run.testLimit = testLimit; run.seed = seed; run.restart = restart; run.samples = samples
        run.paddingMode = mode
        run.erasing = erasing; run.validation = heldOut
        run.averageDecay = ema ?? chosenRecipe?.averageDecay; run.testTimeFlip = tta || chosenRecipe?.testTimeFlip == true
        run.testTimeShifts = ttaShifts || chosenRecipe?.testTimeShifts == true
        run.vectorWeightDecay = normBiasWeightDecay ?? chosenRecipe?.vectorWeightDecay; run.vectorLearningRateScale = normBiasLrScale
        run.precision = kernelOptions.precision ?? chosenRecipe?.precision ?? .fp32
        run.batchNormGroupSize = bnGroupSize
        run.lookahead = lookahead.map { TrainingConfiguration.LookaheadSettings(steps: $0, alpha: lookaheadAlpha ?? 0.5) }
        if exportParity { run.parityNames = o.names }
        return run
    }

    func run() throws {
        kernelOptions.apply()
        var run = try configuredRun()
        let epochs = run.epochs, validation = run.validation
        let world = try World.join()
        run.communicator = world
        if world.isRoot {
            let files = try [FashionMNIST.Split.train, .test].map { try FashionMNISTFiles.locate(split: $0, in: run.data) }
            print("Fashion-MNIST: \(files.map(\.imagesPath).joined(separator: ", "))")
            for (split, file) in zip([FashionMNIST.Split.train, .test], files) {
                try FashionMNISTDataNote.check(split: split, directory: run.data, path: file.imagesPath)
            }
        }
        let started = Date()
        let heldOut = validation > 0 ? "val" : "test"
        let progress = TrainingProgress(totalEpochs: epochs, epochsThisRun: epochsThisRun,
                                        validationExamples: validation > 0 ? validation : run.testCount,
                                        validationName: validation > 0 ? "validation" : "test") { r in
            String(format: "epoch %d: lr %.2e  train loss %.4f acc %.2f%%  %@ loss %.4f acc %.2f%%  %.0f s (%.0f img/s)%@",
                   r.epoch, r.learningRate, r.trainLoss, 100 * r.trainAccuracy, heldOut, r.validationLoss, 100 * r.validationAccuracy,
                   r.seconds, r.imagesPerSecond, r.best ? "  (best)" : "")
        }
        let outcome = try run.run { progress.handle($0, folder: out) }
        for v in outcome.variants {
            print(String(format: "validation with the %@ weights%@: acc %.2f%%  loss %.4f", v.weights, v.flip ? " and flips" : "",
                         100 * v.accuracy, v.loss))
        }
        if let evaluation = outcome.evaluation {
            print(String(format: "test accuracy (last epoch) %.2f%%; wall time this run %.0f s; %@/evaluation.md, predictions.csv, samples.png",
                         100 * evaluation.accuracy, Date().timeIntervalSince(started), out))
        } else {
            print(String(format: "%d of %d epochs done; the test set is read after the last (wall time this run %.0f s)",
                         outcome.records.count, epochs, Date().timeIntervalSince(started)))
        }
        World.finish(world)
    }
}
