import Dataset
import Foundation
import Tensor
import Vision

/// Mission 1-2 end to end, as `fashion train` runs it: photos prepared (when the prepared
/// folder has none yet), classes from the prepared training photos, image caches, ResNet-18
/// from scratch under a `KFashionData.Preset` in a resumable ``Trainer`` folder, then the
/// best checkpoint evaluated on the validation photos (``EvaluationFiles``).
///
/// ```swift
/// var run = KFashionTrainingRun(prepared: URL(fileURLWithPath: "data/prepared"),
///                               folder: URL(fileURLWithPath: "runs/kfashion"))
/// run.tree = try KFashionTree(root: URL(fileURLWithPath: "data/kfashion"))  // prepare if missing
/// run.epochs = 6
/// let outcome = try run.run { event in if case .trainer(.epoch(let r)) = event { print(r.epoch, r.validationAccuracy) } }
/// print(outcome.evaluation.accuracy)
/// ```
public struct KFashionTrainingRun {
    /// The raw data set, to prepare photos from when `prepared` holds none (nil: they must exist).
    public var tree: KFashionTree?
    /// How photos are prepared when they must be.
    public var preparation: PhotoPreparer.Background = .floodFill(BackgroundRemover())
    /// Prepared photos (`PreparedSet` output).
    public var prepared: URL
    /// The run folder (checkpoints, `log.jsonl`, `trainer_state.json`, the evaluation files).
    public var folder: URL
    public var preset: KFashionData.Preset = .reduced
    /// Epochs in total; nil: 6 for the `reduced` preset, 50 otherwise (the camp's).
    public var epochs: Int?
    /// Stop after this many epochs in this call (resume later).
    public var epochsThisRun: Int?
    /// Base learning rate (the camp's Adam 1e-3).
    public var learningRate = 1e-3
    /// Optimiser (the camp's: Adam without weight decay).
    public var optimizer: TrainingConfiguration.OptimizerKind = .adam(weightDecay: 0)
    /// Learning-rate schedule (the camp's: constant).
    public var schedule: LearningRateSchedule = .constant
    /// Label smoothing of the cross-entropy.
    public var labelSmoothing = 0.0
    /// Weight initialisation (the camp's Kaiming-uniform).
    public var initialization: ResNet18.Initialization = .kaimingUniform
    /// Seed of the initialisation, augmentation and batch order.
    public var seed: UInt64 = 42
    /// The convolutions' and linear layers' precision (`Precision.bf16`: mixed precision as
    /// PyTorch's autocast; FP32 weights, optimiser and checkpoints). Part of the run's configuration.
    public var precision: Precision = .fp32
    /// Start afresh, deleting what `folder` holds.
    public var restart = false
    /// Sample predictions on `samples.png` (0: none).
    public var samples = 24
    /// The processes of a data-parallel job (`mpirun -np N`; one by default): rank 0 prepares
    /// the photos and writes the folder, each process trains on its share of every batch.
    public var communicator: Communicator = SingleProcess()
    /// Batch norm's statistics over groups of this many images of a batch (ghost batch norm;
    /// nil: a process's whole share).
    public var batchNormGroupSize: Int?

    /// A run over the prepared photos in `prepared`, kept in `folder`, with the `reduced` preset.
    public init(prepared: URL, folder: URL) { self.prepared = prepared; self.folder = folder }

    /// What a run reports while it goes.
    public enum Event {
        /// Photos are (re)prepared, and why (none there yet, another tree's, other options, changed photos).
        case preparingBecause(String)
        /// Preparing photos (done of total).
        case preparing(done: Int, total: Int)
        /// Caching one split's prepared photos at the model size (done of total).
        case caching(split: Split, done: Int, total: Int)
        /// Data ready: classes, training photos, items an epoch after augmentation, validation photos.
        case ready(classes: Int, trainingPhotos: Int, itemsPerEpoch: Int, validationPhotos: Int)
        /// The trainer's events (resume, batches, validation, epochs).
        case trainer(TrainerEvent)
        /// Evaluating the best checkpoint on the validation photos.
        case evaluating
    }

    /// What a finished call leaves.
    public struct Outcome {
        /// The best checkpoint's evaluation on the validation photos.
        public let evaluation: Evaluation
        /// acc_h's minority classes (label indices; also in the checkpoint's metadata).
        public let minority: Set<Int>
        /// Files left out, with why (also in `folder/skipped.csv`).
        public let skipped: [SkippedFile]
        /// Every epoch done so far (this call's and earlier ones').
        public let records: [EpochRecord]
        /// `folder/best.safetensors`.
        public let bestCheckpoint: URL
        /// Whether every epoch of the run is done (false when `epochsThisRun` stopped it early).
        public let finished: Bool
    }

    /// Total epochs after defaults.
    public var totalEpochs: Int { epochs ?? (preset.name == "reduced" ? 6 : 50) }

    /// Runs (or resumes) the training and evaluates the best checkpoint; `events` sees each
    /// step's progress (from worker threads one at a time).
    public func run(events: (Event) -> Void = { _ in }) throws -> Outcome {
        try withoutActuallyEscaping(events) { try run(box: EventBox($0)) }
    }

    private func run(box: EventBox<Event>) throws -> Outcome {
        let events = box.send
        let normalizationURL = prepared.appendingPathComponent("normalization.json")
        let root = communicator.isRoot
        // Rank 0 prepares and caches first; the others then open what it made (or, on another
        // machine, their own copy: the data fingerprint check catches a copy that differs).
        if !root { try communicator.barrier() }
        if let tree, root {
            // Prepared photos of this tree, current: another tree's or a changed tree's are brought up to date.
            let set = PreparedSet(tree: tree, output: prepared, preparer: PhotoPreparer(size: preset.imageSize, background: preparation))
            // The size and recipe of a folder already there are the user's choice (`fashion prepare`); its data must match.
            if let why = try set.mismatches().first(where: \.isAboutTheData) {
                events(.preparingBecause(why == .missing ? "preparing the photos at \(preset.imageSize) px into \(prepared.path)"
                                                         : "\(prepared.path): \(why); preparing it again from \(tree.root.path) at \(preset.imageSize) px"))
                _ = try set.run { done, total in box.send(.preparing(done: done, total: total)) }
            }
        } else if tree == nil, !FileManager.default.fileExists(atPath: normalizationURL.path) {
            throw TrainerError(reason: "\(prepared.path) holds no prepared photos (normalization.json) and no data set was given to prepare them from")
        }
        // Classes (from the training photos the manifest vouches for), caches, normalisation.
        let caches = try PreparedCaches(prepared: prepared, size: preset.imageSize) { split, done, total in
            box.send(.caching(split: split, done: done, total: total))
        }
        if root { try communicator.barrier() }
        let (trainCache, validCache, encoder, normalization) = (caches.training, caches.validation, caches.encoder, caches.normalization)
        // What the run needs to give an answer, before any epoch: photos to learn from, and
        // validation photos to pick the best epoch on and to report.
        guard trainCache.count > 0 else { throw TrainerError(reason: "\(prepared.path): no training photos to train on") }
        // A step that cannot fit ends in SIGABRT mid-epoch: refused now, with the estimate.
        let share = preset.batchSize / max(1, communicator.size)
        try MemoryBudget.check(MemoryBudget.trainingStep(imageSize: preset.imageSize, batch: share),
                               what: "a training step at \(preset.imageSize) px, batch \(share),")
        guard validCache.count > 0 else {
            throw TrainerError(reason: "\(prepared.path): no validation photos (validation_image) to pick the best epoch on and report its accuracy")
        }
        let data = KFashionData(training: trainCache, validation: validCache, preset: preset,
                                mean: normalization.mean.map(Float.init), std: normalization.std.map(Float.init), seed: seed)
        events(.ready(classes: encoder.count, trainingPhotos: trainCache.count, itemsPerEpoch: data.items.count,
                      validationPhotos: validCache.count))

        let model = ResNet18(classes: encoder.count, inputChannels: 3, stem: .imagenet, initialization: initialization, seed: seed)
        var metadata = CheckpointMetadata(classes: encoder.classes, inputChannels: 3, inputSize: preset.imageSize, stem: .imagenet,
                                          mean: data.mean, std: data.std)
        metadata.preparation = normalization.preparation
        metadata.preparedSize = normalization.size
        // acc_h's minority classes, fixed now from the training counts and kept in every checkpoint.
        let trainingCounts = trainCache.header.labels.reduce(into: [Int](repeating: 0, count: encoder.count)) { $0[$1] += 1 }
        let minority = Evaluation.minorityClasses(trainingCounts: trainingCounts)
        metadata.minorityClasses = minority.sorted().map { encoder.classes[$0] }
        let config = TrainingConfiguration(epochs: totalEpochs, learningRate: learningRate, optimizer: optimizer,
                                           schedule: schedule, labelSmoothing: labelSmoothing, seed: seed,
                                           data: recipeDescription(classes: encoder.classes, training: trainCache.count,
                                                                   validation: validCache.count, mean: data.mean, std: data.std),
                                           precision: precision)
        let skipped = caches.skipped
        if root {
            if restart { try FolderLock.emptied(folder) }
            try AtomicFile.createFolder(folder)
            try SkippedFile.write(skipped, to: folder.appendingPathComponent("skipped.csv"))
        }
        let trainer = Trainer(model: model, configuration: config, metadata: metadata, directory: folder)
        trainer.parallel = DataParallel(communicator: communicator, groupSize: batchNormGroupSize)
        let records = try trainer.run(data: data, epochLimit: epochsThisRun) { events(.trainer($0)) }
        guard root else {
            return Outcome(evaluation: try .shared(by: communicator), minority: minority, skipped: skipped, records: records,
                           bestCheckpoint: trainer.bestCheckpoint, finished: records.count >= totalEpochs)
        }

        // The best checkpoint on the validation photos.
        events(.evaluating)
        let (best, _) = try Checkpoint.load(contentsOf: trainer.bestCheckpoint)
        let (truth, top) = ClassifierEpoch.predictTopK(best, batches: data.validationBatches(), k: 3)
        let evaluation = Evaluation(classes: encoder.classes, truth: truth, predictions: top.map { $0.first?.label ?? 0 })
        try EvaluationFiles.write(evaluation, title: "Mission 1-2, \(preset.name) preset: best checkpoint on validation",
                                  minority: minority, cache: validCache, top: top, samples: samples, seed: seed, to: folder)
        _ = try Evaluation.shared(evaluation, by: communicator)
        return Outcome(evaluation: evaluation, minority: minority, skipped: skipped, records: records,
                       bestCheckpoint: trainer.bestCheckpoint, finished: records.count >= totalEpochs)
    }

    /// What a resume must find again: the recipe and the data it ran on.
    func recipeDescription(classes: [String], training: Int, validation: Int, mean: [Float], std: [Float]) -> [String: String] {
        [
            "preset": preset.name, "image_size": String(preset.imageSize), "batch_size": String(preset.batchSize),
            "augment": String(preset.augment), "target": String(preset.target), "weighted_sampler": String(preset.weightedSampler),
            "fresh_augmentation": String(preset.freshAugmentation),
            "initialization": initialization == .torchvision ? "torchvision" : "kaiming-uniform",
            "classes": classes.joined(separator: " "), "training_photos": String(training),
            "validation_photos": String(validation),
            "mean": mean.map { String(format: "%.6f", $0) }.joined(separator: " "),
            "std": std.map { String(format: "%.6f", $0) }.joined(separator: " "),
        ]
    }
}

/// Hands events from worker threads to a non-Sendable closure, one at a time.
final class EventBox<E>: @unchecked Sendable {
    private let lock = NSLock()
    private let body: (E) -> Void
    init(_ body: @escaping (E) -> Void) { self.body = body }
    func send(_ e: E) { lock.lock(); body(e); lock.unlock() }
}
