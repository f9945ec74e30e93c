import Dataset
import Foundation
import Tensor

/// The prepared K-Fashion photos for the protocol: 31 style×gender classes with the set's own
/// imbalance; the validation split is the test set. The backbone is the project's small-image
/// recipe for K-Fashion (torchvision's ResNet-18 at 64 px, Adam 1e-3 at a constant rate) but
/// trained on the imbalanced set as it is — no augmentation planner and no weighted sampler,
/// which would rebalance the classes the protocol starves.
public struct KFashionFewShotSource: FewShotSource {
    public let training: ImageCache, validation: ImageCache
    public let mean: [Float], std: [Float]
    /// Adam's rate for the backbone.
    public var learningRate = 1e-3

    /// The few-shot source of a prepared folder (`PreparedCaches`: the photos the manifest
    /// vouches for, cached at `size`).
    public init(_ caches: PreparedCaches) {
        self.init(training: caches.training, validation: caches.validation, mean: caches.mean, std: caches.std)
    }

    public init(training: ImageCache, validation: ImageCache, mean: [Float], std: [Float]) {
        precondition(training.header.classes == validation.header.classes, "KFashionFewShotSource: the splits' class lists differ")
        self.training = training; self.validation = validation; self.mean = mean; self.std = std
    }
    public var name: String { "K-Fashion" }
    public var classNames: [String] { training.header.classes }
    public var trainingLabels: [Int] { training.header.labels }
    public var testLabels: [Int] { validation.header.labels }

    public func backbone(rows: [Int], options: FewShotProtocol.Options, seed: UInt64, folder: URL,
                         log: @escaping (String) -> Void) throws -> BackboneFeatures {
        let size = training.header.width
        let preset = KFashionData.Preset(name: "fewshot", imageSize: size, batchSize: options.batchSize, augment: false, target: 0,
                                         weightedSampler: false, freshAugmentation: false)
        let data = KFashionData(training: training, validation: validation, preset: preset, mean: mean, std: std, seed: options.seed, rows: rows)
        let model = ResNet18(classes: classNames.count, inputChannels: 3, stem: .imagenet, initialization: .torchvision, seed: seed)
        let metadata = CheckpointMetadata(classes: classNames, inputChannels: 3, inputSize: size, stem: .imagenet, mean: mean, std: std)
        let configuration = TrainingConfiguration(epochs: options.backboneEpochs, learningRate: learningRate,
                                                  optimizer: .adam(weightDecay: 0), schedule: .constant, labelSmoothing: 0, seed: options.seed)
        let trainer = Trainer(model: model, configuration: configuration, metadata: metadata, directory: folder.appendingPathComponent("backbone"))
        _ = try trainer.run(data: data) { event in
            if case .epoch(let r) = event {
                log(String(format: "  backbone epoch %d: train acc %.2f %%, validation acc %.2f %%, %.0f s",
                           r.epoch, 100 * r.trainAccuracy, 100 * r.validationAccuracy, r.seconds))
            }
        }
        let (frozen, _) = try Checkpoint.load(contentsOf: trainer.lastCheckpoint)
        frozen.eval()
        func features(_ cache: ImageCache) -> (features: [Float], predictions: [Int]) {
            var plain = preset
            plain.batchSize = 128
            let d = KFashionData(training: cache, validation: cache, preset: plain, mean: mean, std: std, seed: options.seed)
            return frozen.featuresAndPredictions(of: d.validationBatches())
        }
        let all = features(training).features, (test, predictions) = features(validation)
        let d = all.count / max(training.count, 1)
        var train = [Float](repeating: 0, count: rows.count * d)
        for (k, i) in rows.enumerated() { for j in 0..<d { train[k * d + j] = all[i * d + j] } }
        return BackboneFeatures(dimension: d, train: train, test: test, testPredictions: predictions)
    }
}
