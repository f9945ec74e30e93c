import Dataset
import Foundation
import Tensor
import Vision

/// ResNet-18 from scratch on Fashion-MNIST, as `fashion train-mnist` runs it: the IDX files
/// read, ResNet-18 with a small-image stem in a resumable ``Trainer`` folder, then the last
/// epoch's model on the test set (``EvaluationFiles``). Without a validation split the test
/// set is the run's held-out set (`held_out: test` in `log.jsonl`); with `validation` N the
/// epochs are judged on N held-out training images and the test set is read once, when the
/// last epoch is done.
///
/// ```swift
/// var run = FashionMNISTTrainingRun(folder: URL(fileURLWithPath: "runs/fashion-mnist"))
/// run.epochs = 4
/// run.optimizer = .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true)
/// run.learningRate = 0.1
/// run.schedule = .oneCycle(epochs: 4, warmup: 0.25, div: 25, finalDiv: 1e4)
/// let outcome = try run.run()
/// print(outcome.evaluation.accuracy)
/// ```
public struct FashionMNISTTrainingRun {
    /// Folder of Fashion-MNIST's gzip IDX files.
    public var data = FashionMNIST.defaultDirectory
    /// The run folder (checkpoints, `log.jsonl`, `trainer_state.json`, the evaluation files).
    public var folder: URL
    /// Epochs in total.
    public var epochs = 5
    /// Stop after this many epochs in this call (resume later).
    public var epochsThisRun: Int?
    /// Images a training batch.
    public var batchSize = 128
    /// Base learning rate (the peak for one-cycle).
    public var learningRate = 2e-3
    /// The optimiser (`train-mnist`'s default: Adam with weight decay 5e-4).
    public var optimizer: TrainingConfiguration.OptimizerKind = .adam(weightDecay: 5e-4)
    /// The learning-rate schedule (a cosine or one-cycle schedule spans `epochs`).
    public var schedule: LearningRateSchedule = .cosine(epochs: 5, minimum: 0)
    /// Label smoothing of the cross-entropy.
    public var labelSmoothing = 0.0
    /// The small-image stem: `compact` (3×3 conv + max-pool) or `small` (3×3 conv).
    public var stem: ResNet18.Stem = .compact
    /// Random crops (with `cropPadding` pixels of padding) and horizontal flips.
    public var augment = true
    /// Padding of the random crop (0: horizontal flips only).
    public var cropPadding = 2
    /// How the crop's padding is filled (torchvision's `padding_mode`; zeros by default).
    public var paddingMode: PaddingMode = .constant(0)
    /// Probability of random erasing (torchvision's `RandomErasing` draws; 0: none).
    public var erasing: Float = 0
    /// Training images held out to judge the epochs and choose a recipe on (0: none, the test
    /// set is judged after every epoch).
    public var validation = 0
    /// Decay of an exponential moving average of the weights, evaluated and saved instead of
    /// the weights (nil: none).
    public var averageDecay: Double?
    /// Evaluate with horizontal-flip test-time augmentation.
    public var testTimeFlip = false
    /// Evaluate with the images shifted one pixel each way as well (airbench's `tta_level=2`).
    public var testTimeShifts = false
    /// Weight decay of biases and batch norm's parameters (nil: the optimiser's).
    public var vectorWeightDecay: Double?
    /// Learning rate of biases and batch norm's parameters as a factor of the schedule's.
    public var vectorLearningRateScale = 1.0
    /// Lookahead around the optimiser (k and α; nil: none).
    public var lookahead: TrainingConfiguration.LookaheadSettings?
    /// Only this many training images an epoch, and test images a pass (quick runs).
    public var limit: Int?, testLimit: Int?
    /// Seed of the initialisation, augmentation and batch order.
    public var seed: UInt64 = 42
    /// The convolutions' and linear layers' precision (`Precision.bf16`: mixed precision as
    /// PyTorch's autocast; FP32 weights, optimiser and checkpoints). Part of the run's configuration.
    public var precision: Precision = .fp32
    /// Start afresh, deleting what `folder` holds.
    public var restart = false
    /// Sample predictions on `samples.png` (0: none).
    public var samples = 24
    /// The processes of a data-parallel job (`mpirun -np N`; one by default): each trains on
    /// its share of every batch of `batchSize`, rank 0 writes the folder.
    public var communicator: Communicator = SingleProcess()
    /// Batch norm's statistics over groups of this many images of a batch (ghost batch norm;
    /// nil: a process's whole share). One process with `batchSize` B and groups of B/N
    /// computes what N processes compute.
    public var batchNormGroupSize: Int?
    /// When set, `initial.safetensors` and `batch-order.json` are written first for
    /// Tools/pytorch_parity.py (``ParityExport``), with these optimiser and schedule names.
    public var parityNames: (optimizer: String, schedule: String)?

    /// A run kept in `folder`, with `train-mnist`'s defaults.
    public init(folder: URL) { self.folder = folder }

    /// What a run gave.
    public struct Outcome {
        /// The last epoch's model on the test set (nil while a run with a validation split has
        /// epochs to go: its test set is read once, at the end).
        public let evaluation: Evaluation?
        /// Every epoch done so far (this call's and earlier ones').
        public let records: [EpochRecord]
        /// For a finished run with a validation split and a weight average or flips: the
        /// validation figures of the last epoch with each of them on and off (also in
        /// `validation_variants.json`); empty otherwise.
        public var variants: [HeldOutVariant] = []
    }

    /// The finished run's validation figures with one choice of evaluated weights and flips —
    /// the parts of a recipe that change only the evaluation, ablated without training again.
    public struct HeldOutVariant: Codable, Equatable, Sendable {
        /// `average` (the weight average) or `trained` (the weights themselves).
        public var weights: String
        /// Whether the mirror images' logits were averaged in.
        public var flip: Bool
        /// Whether the shifted images' logits were averaged in.
        public var shifts: Bool
        /// Accuracy and mean cross-entropy on the validation split.
        public var accuracy: Double, loss: Double
    }

    /// Runs (or resumes) the training, then evaluates the last epoch's model on the test set
    /// (from that epoch's test pass when it ran in this call) and writes the evaluation files.
    public func run(events: (TrainerEvent) -> Void = { _ in }) throws -> Outcome {
        let train = try FashionMNIST(split: .train, directory: data)
        let test = try FashionMNIST(split: .test, directory: data)
        guard validation >= 0, validation < train.count else {
            throw TrainerError(reason: "a validation split of \(validation) images: it must leave training images of the \(train.count)")
        }
        let source = FashionMNISTData(train: train, test: test, batchSize: batchSize, augment: augment, padding: cropPadding,
                                      paddingMode: paddingMode, erasing: erasing, seed: seed, limit: limit, testLimit: testLimit, validation: validation)
        // The data settings recorded (and checked on resume) are those that change the
        // batches; recorded only when set, so older runs' folders resume as they were.
        var settings: [String: String] = [:]
        if validation > 0 { settings["validation"] = String(validation) }
        if erasing > 0 { settings["random_erasing"] = String(erasing) }
        switch paddingMode {
        case .constant(0): break
        case .constant(let v): settings["padding_mode"] = "constant \(v)"
        default: settings["padding_mode"] = "\(paddingMode)"
        }
        let configuration = TrainingConfiguration(epochs: epochs, learningRate: learningRate, optimizer: optimizer, schedule: schedule,
                                                  labelSmoothing: labelSmoothing, seed: seed, data: settings.isEmpty ? nil : settings,
                                                  precision: precision, vectorWeightDecay: vectorWeightDecay,
                                                  vectorLearningRateScale: vectorLearningRateScale, averageDecay: averageDecay,
                                                  testTimeFlip: testTimeFlip, testTimeShifts: testTimeShifts, lookahead: lookahead)
        // The compact stem keeps 28 px to layer 1, as torchvision's does a 112 px photo.
        let share = batchSize / max(1, communicator.size)
        try MemoryBudget.check(MemoryBudget.trainingStep(imageSize: stem == .compact ? 112 : 28, batch: share),
                               what: "a training step at batch \(share),")
        let model = ResNet18(classes: 10, inputChannels: 1, stem: stem, initialization: .torchvision, seed: seed)
        let metadata = CheckpointMetadata(classes: FashionMNIST.classNames, inputChannels: 1, inputSize: 28, stem: stem,
                                          mean: [FashionMNISTData.mean], std: [FashionMNISTData.std])
        let root = communicator.isRoot
        if restart, root { try FolderLock.emptied(folder) }
        let trainer = Trainer(model: model, configuration: configuration, metadata: metadata, directory: folder)
        trainer.parallel = DataParallel(communicator: communicator, groupSize: batchNormGroupSize)
        if let names = parityNames, root {
            let weightDecay: Double
            switch optimizer {
            case .adam(let wd): weightDecay = wd
            case .sgd(_, let wd, _): weightDecay = wd
            }
            let order = ParityExport.BatchOrder(batchSize: batchSize, learningRate: learningRate, weightDecay: weightDecay,
                                                optimizer: names.optimizer, schedule: names.schedule, labelSmoothing: labelSmoothing,
                                                augment: augment, mean: FashionMNISTData.mean, std: FashionMNISTData.std,
                                                epochs: (0..<epochs).map { source.trainingOrder(epoch: $0) })
            try ParityExport.write(model: model, metadata: metadata, order: order, to: folder)
        }
        let records = try trainer.run(data: source, epochLimit: epochsThisRun, events: events)
        // With a validation split the test set waits for the last epoch.
        if validation > 0, records.count < epochs { return Outcome(evaluation: nil, records: records) }
        guard root else { return try Outcome(evaluation: .shared(by: communicator), records: records) }
        let (truth, top): ([Int], [[(label: Int, probability: Float)]])
        if validation == 0, let seen = trainer.lastValidation, let ranked = trainer.lastValidationTop {
            (truth, top) = (seen.truth, ranked)
        } else {
            (truth, top) = withAutocast(precision) {
                trainer.withEvaluatedWeights { ClassifierEpoch.predictTopK(model, batches: source.testBatches(), k: 3, flip: testTimeFlip, shifts: testTimeShifts) }
            }
        }
        let evaluation = Evaluation(classes: FashionMNIST.classNames, truth: truth, predictions: top.map { $0.first?.label ?? 0 })
        var variants: [HeldOutVariant] = []
        if validation > 0, averageDecay != nil || testTimeFlip || testTimeShifts {
            for averaged in averageDecay != nil ? [true, false] : [false] {
                for shifts in testTimeShifts ? [true, false] : [false] {
                    for flip in [true, false] {
                        let summary = withAutocast(precision) {
                            averaged ? trainer.withEvaluatedWeights { ClassifierEpoch.evaluateAndPredict(model, batches: source.validationBatches(), flip: flip, shifts: shifts).summary }
                                     : ClassifierEpoch.evaluateAndPredict(model, batches: source.validationBatches(), flip: flip, shifts: shifts).summary
                        }
                        variants.append(HeldOutVariant(weights: averaged ? "average" : "trained", flip: flip, shifts: shifts,
                                                       accuracy: summary.accuracy, loss: summary.loss))
                    }
                }
            }
            try AtomicFile.write(JSONStyle.encoder(pretty: true).encode(variants), to: folder.appendingPathComponent("validation_variants.json"))
        }
        let plane = test.rows * test.columns
        try EvaluationFiles.write(evaluation, title: "Fashion-MNIST test set, last epoch", minority: [],
                                  names: (0..<source.testCount).map { "test/\($0)" }, truth: truth, top: top,
                                  images: { i in Image(width: test.columns, height: test.rows, channels: 1,
                                                       pixels: Array(test.pixels[(i * plane)..<((i + 1) * plane)])) },
                                  samples: samples, seed: seed, to: folder)
        _ = try Evaluation.shared(evaluation, by: communicator)
        return Outcome(evaluation: evaluation, records: records, variants: variants)
    }

    /// Test images a pass evaluates (all 10,000, or `testLimit`).
    public var testCount: Int { min(testLimit ?? 10_000, 10_000) }
}
