import Dataset
import Foundation
import Tensor
import Vision

/// A Fashion-MNIST checkpoint (`fashion train-mnist`'s, or one made elsewhere with its
/// metadata) on the test set — or on a run's validation split — as `fashion evaluate-mnist`
/// runs it, with or without test-time augmentation (flips, shifts); writes ``EvaluationFiles``.
///
/// ```swift
/// var job = FashionMNISTEvaluation(checkpoint: URL(fileURLWithPath: "runs/fmnist/last.safetensors"),
///                                  folder: URL(fileURLWithPath: "runs/fmnist-test"))
/// job.flip = true
/// print(try job.run().accuracy)
/// ```
public struct FashionMNISTEvaluation {
    /// The checkpoint: one input channel at 28×28, Fashion-MNIST's ten classes and normalisation.
    public var checkpoint: URL
    /// Folder of Fashion-MNIST's gzip IDX files.
    public var data = FashionMNIST.defaultDirectory
    /// Where the evaluation files go.
    public var folder: URL
    /// Average in the logits of the mirror images (``ClassifierEpoch/logits(_:_:flip:shifts:)``).
    public var flip = false
    /// Average in the logits of the images shifted a pixel down-right and up-left, as
    /// airbench's `tta_level=2` (``ClassifierEpoch/logits(_:_:flip:shifts:)``).
    public var shifts = false
    /// Evaluate on a validation split of this many training images, as a `train-mnist` run
    /// with `--validation` and `seed` held out (0: on the test set).
    public var validation = 0
    /// The seed of the run whose validation split is meant.
    public var seed: UInt64 = 42
    /// Only the first this many test images (nil: all 10,000).
    public var testLimit: Int?
    /// Sample predictions on `samples.png` (0: none).
    public var samples = 24
    /// The precision of the convolutions and linear layers.
    public var precision: Precision = .fp32

    /// A test-set evaluation of `checkpoint` into `folder`.
    public init(checkpoint: URL, folder: URL) { self.checkpoint = checkpoint; self.folder = folder }

    /// The checkpoint's metadata, or why it is not a Fashion-MNIST model.
    public static func metadata(of checkpoint: URL, _ found: CheckpointMetadata?) throws -> CheckpointMetadata {
        let name = checkpoint.relativePath
        guard let m = found else { throw PredictorError(reason: "\(name) has no class list in its metadata (made outside this project?)") }
        guard m.inputChannels == 1, m.inputSize == 28, m.classes.count == 10 else {
            throw PredictorError(reason: "\(name): a model of \(m.inputChannels)-channel \(m.inputSize)-pixel images and \(m.classes.count) classes, not Fashion-MNIST's 1, 28 and 10 (a K-Fashion checkpoint? `fashion evaluate` takes those)")
        }
        guard m.mean == [FashionMNISTData.mean], m.std == [FashionMNISTData.std] else {
            throw PredictorError(reason: "\(name): trained on images normalised with mean \(m.mean), std \(m.std); Fashion-MNIST's batches here use \(FashionMNISTData.mean), \(FashionMNISTData.std)")
        }
        return m
    }

    /// Evaluates and writes the files.
    public func run() throws -> Evaluation {
        let (model, found) = try Checkpoint.load(contentsOf: checkpoint)
        let metadata = try Self.metadata(of: checkpoint, found)
        // Only the split evaluated is read (a folder of Kaggle's test CSV alone will do): the
        // training images for a validation split, the test images otherwise; it stands in,
        // unused, for the other.
        let evaluated = try FashionMNIST(split: validation > 0 ? .train : .test, directory: data)
        let train = evaluated, test = evaluated
        guard validation >= 0, validation < train.count else {
            throw PredictorError(reason: "a validation split of \(validation) images: it must leave training images of the \(train.count)")
        }
        let source = FashionMNISTData(train: train, test: test, augment: false, seed: seed, testLimit: testLimit, validation: validation)
        let batches = validation > 0 ? source.validationBatches() : source.testBatches()
        let (truth, top) = withAutocast(precision) { ClassifierEpoch.predictTopK(model, batches: batches, k: 3, flip: flip, shifts: shifts) }
        let evaluation = Evaluation(classes: metadata.classes, truth: truth, predictions: top.map { $0.first?.label ?? 0 })
        let set = validation > 0 ? train : test, plane = 28 * 28
        let indices = validation > 0 ? source.validationIndices : Array(0..<source.testCount)
        try AtomicFile.createFolder(folder)
        try EvaluationFiles.write(evaluation, title: "\(checkpoint.relativePath) on Fashion-MNIST's \(validation > 0 ? "validation split" : "test set")\(flip ? ", with flips" : "")\(shifts ? ", with shifts" : "")",
                                  minority: [], names: indices.map { "\(validation > 0 ? "train" : "test")/\($0)" }, truth: truth, top: top,
                                  images: { i in Image(width: 28, height: 28, channels: 1,
                                                       pixels: Array(set.pixels[(indices[i] * plane)..<((indices[i] + 1) * plane)])) },
                                  samples: samples, seed: seed, to: folder)
        return evaluation
    }
}
