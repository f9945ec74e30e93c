import Dataset
import Foundation
import Tensor
import Vision

/// A checkpoint ready to classify photos: image in, top-k classes with probabilities out.
///
/// A photo is prepared the way the model's training photos were — the checkpoint's
/// ``CheckpointMetadata/preparation`` recipe (background to white, crop to the subject, pad,
/// resize) at the size they were prepared at, stored as JPEG and resized to the input size
/// exactly as training's cache did (`Dataset/PreparedPhoto`) — unless told otherwise; without a recipe (Fashion-MNIST checkpoints, files from
/// other tools) it is padded to a white square and resized. Channels are converted to the
/// model's (RGB → luma for a 1-channel model, grey copied to three) and normalised with the
/// checkpoint's mean and std.
///
/// ```swift
/// let predictor = try Predictor(checkpoint: URL(fileURLWithPath: "runs/kfashion/best.safetensors"))
/// for p in try predictor.predict(contentsOf: URL(fileURLWithPath: "photo.jpg"), top: 3) {
///     print(p.className, p.probability)
/// }
/// ```
public final class Predictor {
    /// How a photo becomes the model's input.
    public enum Preparation: Equatable, Sendable {
        /// As the training photos were (the checkpoint's recipe; pad and resize without one).
        case asTrained
        /// Background removal and cropping with this recipe (`PhotoPreparer.recipe`).
        case recipe(String)
        /// Only padded to a white square and resized (the photo is already prepared).
        case padAndResize
    }

    /// One class of a prediction.
    public struct Ranked: Equatable, Sendable {
        /// The class's name (the checkpoint's).
        public let className: String
        /// Its softmax probability.
        public let probability: Float
    }

    /// The network (in evaluation mode).
    public let model: ResNet18
    /// Class names in label order (`class 0`, … when the checkpoint names none).
    public let classes: [String]
    /// Side of the square input and channels the model takes.
    public let inputSize: Int, inputChannels: Int
    /// Per-channel normalisation of inputs in [0, 1].
    public let mean: [Float], std: [Float]
    /// The recipe training photos were prepared with (nil: used as they were).
    public let trainingPreparation: String?
    /// The side training photos were prepared at before resizing to ``inputSize``.
    public let preparedSize: Int

    /// Each default that stood in for a metadata key the checkpoint lacks (empty when it had them all).
    public let metadataDefaults: [CheckpointMetadata.DefaultUsed]

    /// A predictor over `model`; `metadata` gives classes, size and normalisation (without it:
    /// ``CheckpointMetadata/resolved(strings:classes:channels:kernel:)``'s defaults, listed in
    /// ``metadataDefaults``).
    public init(model: ResNet18, metadata: CheckpointMetadata?, defaults: [CheckpointMetadata.DefaultUsed] = []) {
        self.model = model
        inputChannels = model.conv1.weight.shape[1]
        let complete: CheckpointMetadata, used: [CheckpointMetadata.DefaultUsed]
        if let metadata { (complete, used) = (metadata, defaults) } else {
            (complete, used) = CheckpointMetadata.resolved(strings: [:], classes: model.fc.weight.shape[0], channels: inputChannels,
                                                           kernel: model.conv1.weight.shape[2])
        }
        classes = complete.classes
        inputSize = complete.inputSize
        mean = complete.mean
        std = complete.std
        trainingPreparation = complete.preparation
        preparedSize = complete.preparedSize ?? complete.inputSize
        metadataDefaults = used
        model.eval()
    }

    /// Loads a checkpoint (``Checkpoint/open(contentsOf:)``), with a default for each metadata key it lacks.
    public convenience init(checkpoint url: URL) throws {
        let loaded = try Checkpoint.open(contentsOf: url)
        self.init(model: loaded.model, metadata: loaded.metadata, defaults: loaded.defaults)
    }

    /// The preparer `preparation` means for this model (nil: pad and resize only); throws when
    /// a recipe cannot be followed here (another tool's masks).
    public func preparer(for preparation: Preparation) throws -> PhotoPreparer? {
        let recipe: String
        switch preparation {
        case .padAndResize: return nil
        case .recipe(let r): recipe = r
        case .asTrained:
            guard let r = trainingPreparation else { return nil }
            recipe = r
        }
        guard let preparer = PhotoPreparer(recipe: recipe, size: preparedSize) else {
            throw PredictorError(reason: "the photos were prepared with `\(recipe)`, which cannot be repeated on a new photo (another tool's masks?): prepare it the same way and predict without preparation")
        }
        return preparer
    }

    /// The model's input for one photo file, prepared as `preparation` says.
    public func input(contentsOf url: URL, preparation: Preparation = .asTrained) throws -> PlanarImage {
        if let preparer = try preparer(for: preparation) {
            let prepared = try preparer.prepare(contentsOf: url).image
            return input(prepared: try PreparedPhoto.modelImage(prepared: prepared, size: inputSize))
        }
        let decoded = try Image(contentsOf: url, options: DecodingOptions(minimumShorterSide: 2 * inputSize))
        if let why = PhotoLimits.problem(width: decoded.width, height: decoded.height) {
            throw ImageIOError(path: url.path, reason: .unsupported(why))
        }
        return input(prepared: PlanarImage(decoded).paddedToSquare(fill: 1).resized(height: inputSize, width: inputSize).image())
    }

    /// The model's input for an image that is already prepared (resized to the input size if
    /// needed, channels converted, normalised).
    public func input(prepared image: Image) -> PlanarImage {
        var planar = PlanarImage(image)
        if planar.height != inputSize || planar.width != inputSize {
            planar = planar.paddedToSquare(fill: 1).resized(height: inputSize, width: inputSize)
        }
        if planar.channels == 3 && inputChannels == 1 {
            planar = PlanarImage(channels: 1, height: inputSize, width: inputSize, values: planar.grayscalePlane())
        } else if planar.channels == 1 && inputChannels == 3 {
            planar = PlanarImage(channels: 3, height: inputSize, width: inputSize, values: planar.values + planar.values + planar.values)
        }
        return planar.normalized(mean: mean, std: std)
    }

    /// The `top` most probable classes of each input (``input(prepared:)`` output), most
    /// probable first, in batches of `batchSize`.
    public func predict(inputs: [PlanarImage], top: Int, batchSize: Int = 32) -> [[Ranked]] {
        let plane = inputChannels * inputSize * inputSize
        var out: [[Ranked]] = []
        for start in stride(from: 0, to: inputs.count, by: max(1, batchSize)) {
            let chunk = inputs[start..<min(inputs.count, start + max(1, batchSize))]
            var scalars: [Float] = []
            scalars.reserveCapacity(chunk.count * plane)
            for x in chunk { scalars += x.values }
            let logits = withNoGrad { model(Tensor(shape: [chunk.count, inputChannels, inputSize, inputSize], scalars: scalars)) }
            out += ClassifierEpoch.topK(logits: logits, k: max(1, top)).map { row in
                row.map { Ranked(className: classes[$0.label], probability: $0.probability) }
            }
        }
        return out
    }

    /// The `top` most probable classes of the photo at `url`.
    public func predict(contentsOf url: URL, top: Int = 5, preparation: Preparation = .asTrained) throws -> [Ranked] {
        predict(inputs: [try input(contentsOf: url, preparation: preparation)], top: top).first ?? []
    }
}

/// Why a ``Predictor`` cannot do what was asked.
public struct PredictorError: Error, CustomStringConvertible, Sendable {
    /// What cannot be done, and why.
    public let reason: String
    public var description: String { reason }
}
