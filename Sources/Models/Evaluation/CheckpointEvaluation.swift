import Dataset
import Foundation
import Tensor
import Vision

/// Mission 1-2's evaluation of a saved checkpoint on the validation photos of a prepared
/// folder, as `fashion evaluate` runs it: accuracy, per-class metrics, confusion matrix,
/// acc_h with the checkpoint's minority classes, and the files of ``EvaluationFiles``.
public struct CheckpointEvaluation {
    /// The checkpoint to evaluate (written by `fashion train` / ``KFashionTrainingRun``).
    public var checkpoint: URL
    /// Prepared photos (`PreparedSet` output) at the checkpoint's input size or larger.
    public var prepared: URL
    /// Where the evaluation files go.
    public var folder: URL
    /// Sample predictions on `samples.png` (0: none) and the seed that picks them.
    public var samples = 24
    public var seed: UInt64 = 42
    /// The processes of a job (`mpirun -np N`; one by default): each evaluates every N-th
    /// batch, rank 0 gathers them in order and writes the files — the one process's bytes.
    public var communicator: Communicator = SingleProcess()

    /// An evaluation of `checkpoint` on `prepared`'s validation photos, written into `folder`.
    public init(checkpoint: URL, prepared: URL, folder: URL) {
        self.checkpoint = checkpoint; self.prepared = prepared; self.folder = folder
    }

    /// What an evaluation found.
    public struct Outcome {
        /// Accuracy, per-class metrics and the confusion matrix.
        public let evaluation: Evaluation
        /// acc_h's minority classes (label indices).
        public let minority: Set<Int>
        /// Validation photos left out, with why (also in `folder/skipped.csv`).
        public let skipped: [SkippedFile]
        /// Set when the checkpoint records no minority classes and they were taken from the
        /// prepared training photos instead (older checkpoints).
        public let minorityNote: String?
    }

    /// The checkpoint's metadata, or why it cannot be evaluated on K-Fashion photos.
    public static func metadata(of checkpoint: URL, _ found: CheckpointMetadata?) throws -> CheckpointMetadata {
        guard let metadata = found else {
            throw PredictorError(reason: "\(checkpoint.relativePath) has no class list in its metadata (made outside this project?); use `fashion predict`")
        }
        guard metadata.inputChannels == 3 else {
            throw PredictorError(reason: "\(checkpoint.relativePath): the model takes \(metadata.inputChannels)-channel images, K-Fashion photos have 3 (a Fashion-MNIST checkpoint? `fashion train-mnist` evaluates those on the test set)")
        }
        guard LabelEncoder(fitting: metadata.classes).classes == metadata.classes else {
            throw PredictorError(reason: "\(checkpoint.relativePath): its \(metadata.classes.count) classes are not sorted as `fashion train` writes them (made by another tool?)")
        }
        return metadata
    }

    /// Evaluates and writes the files; `progress(done, total)` after each batch.
    public func run(progress: ((Int, Int) -> Void)? = nil) throws -> Outcome {
        let (model, found) = try Checkpoint.load(contentsOf: checkpoint)
        let metadata = try Self.metadata(of: checkpoint, found)
        let encoder = LabelEncoder(fitting: metadata.classes)
        let root = communicator.isRoot
        if !root { try communicator.barrier() }   // rank 0 builds the cache first
        let (validation, skipped) = try KFashionData.cache(prepared: prepared, split: .validation, size: metadata.inputSize, encoder: encoder)
        if root { try communicator.barrier() }
        guard validation.count > 0 else {
            throw PredictorError(reason: "\(checkpoint.relativePath): none of the \(skipped.count) validation photos in \(prepared.relativePath) is of one of its \(metadata.classes.count) classes (\(metadata.classes.prefix(3).joined(separator: ", "))…)")
        }
        if root {
            try AtomicFile.createFolder(folder)
            try SkippedFile.write(skipped, to: folder.appendingPathComponent("skipped.csv"))
        }
        var preset = KFashionData.Preset.baseline
        preset.imageSize = metadata.inputSize
        let data = KFashionData(training: validation, validation: validation, preset: preset, mean: metadata.mean, std: metadata.std)
        var done = 0
        let batches = data.validationBatches().lazy.map { batch -> LabelledBatch in
            done += batch.labels.count
            progress?(done, validation.count)
            return batch
        }
        let truth: [Int], top: [[(label: Int, probability: Float)]]
        if communicator.size > 1 {
            (_, truth, _, top) = try DataParallel(communicator: communicator).evaluate(model, data: data) { progress?($0 * communicator.size, validation.count) }
            guard root else {
                return Outcome(evaluation: try .shared(by: communicator), minority: [], skipped: skipped, minorityNote: nil)
            }
        } else {
            (truth, top) = ClassifierEpoch.predictTopK(model, batches: batches, k: 3)
        }
        let evaluation = Evaluation(classes: metadata.classes, truth: truth, predictions: top.map { $0.first?.label ?? 0 })
        // acc_h's minority classes: the checkpoint's (decided from its training counts); for a
        // checkpoint without them, the same rule over the prepared training photos.
        let minority: Set<Int>, note: String?
        if let names = metadata.minorityClasses {
            minority = Set(names.compactMap { metadata.classes.firstIndex(of: $0) })
            note = nil
        } else {
            let trainingNames = (try? DirectoryListing.fileNames(in: prepared.appendingPathComponent(Split.training.imageFolder))) ?? []
            var counts = [Int](repeating: 0, count: encoder.count)
            for name in trainingNames {
                if let key = try? ImageRecord(fileName: name).key, let label = encoder.encode(key.className) { counts[label] += 1 }
            }
            minority = Evaluation.minorityClasses(trainingCounts: counts)
            note = "\(checkpoint.relativePath) records no minority classes: taken as those with fewer training photos in \(prepared.relativePath) than the median class"
        }
        try EvaluationFiles.write(evaluation, title: "\(checkpoint.relativePath) on the validation photos", minority: minority, cache: validation,
                                  top: top, samples: samples, seed: seed, to: folder)
        if communicator.size > 1 { _ = try Evaluation.shared(evaluation, by: communicator) }
        return Outcome(evaluation: evaluation, minority: minority, skipped: skipped, minorityNote: note)
    }
}
