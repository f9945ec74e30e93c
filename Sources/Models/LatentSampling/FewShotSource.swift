import Dataset
import Foundation
import Tensor

/// What a backbone gave for one cell of the protocol: frozen features of the kept training
/// rows and of the test rows, and the backbone's own predictions on the test rows.
public struct BackboneFeatures: Sendable {
    public var dimension: Int
    /// `train.count / dimension` rows, in the order of the kept training rows.
    public var train: [Float]
    public var test: [Float]
    public var testPredictions: [Int]
    public init(dimension: Int, train: [Float], test: [Float], testPredictions: [Int]) {
        self.dimension = dimension; self.train = train; self.test = test; self.testPredictions = testPredictions
    }

    /// Saved as safetensors (`train`, `test` F32; `test_predictions`, `train_labels` I64), atomically.
    public func write(to url: URL, trainLabels: [Int]) throws {
        var s = StateDictionary()
        s.set("train", Tensor(shape: [train.count / dimension, dimension], scalars: train))
        s.set("test", Tensor(shape: [test.count / dimension, dimension], scalars: test))
        s.set("test_predictions", Tensor(shape: [testPredictions.count], scalars: testPredictions.map(Float.init)), elementType: .int64)
        s.set("train_labels", Tensor(shape: [trainLabels.count], scalars: trainLabels.map(Float.init)), elementType: .int64)
        try Safetensors.write(Safetensors.Contents(state: s, metadata: ["format": "fewshot-features"]), to: url)
    }

    /// Reads a file written by ``write(to:trainLabels:)`` and checks it belongs to this cell
    /// (same training labels in the same order, `testCount` test rows); nil when it does not.
    public static func read(from url: URL, trainLabels: [Int], testCount: Int) throws -> BackboneFeatures? {
        let s = try Safetensors.read(contentsOf: url).state
        guard let train = s["train"], let test = s["test"], let p = s["test_predictions"], let l = s["train_labels"],
              train.shape.count == 2, test.shape.count == 2, train.shape[1] == test.shape[1],
              train.shape[0] == trainLabels.count, test.shape[0] == testCount, p.count == testCount,
              l.scalars.map({ Int($0) }) == trainLabels else { return nil }
        return BackboneFeatures(dimension: train.shape[1], train: train.scalars, test: test.scalars,
                                testPredictions: p.scalars.map { Int($0) })
    }
}

/// A data set the few-shot protocol runs on: labelled training items, a test set, and how a
/// backbone is trained on a subset of the training items and its features extracted.
public protocol FewShotSource {
    var name: String { get }
    var classNames: [String] { get }
    /// Labels of every training item (indices into ``classNames``).
    var trainingLabels: [Int] { get }
    var testLabels: [Int] { get }
    /// Trains a backbone from scratch on the training items `rows` (resumable in `folder`),
    /// freezes it and extracts the features of `rows` and of the test items.
    func backbone(rows: [Int], options: FewShotProtocol.Options, seed: UInt64, folder: URL,
                  log: @escaping (String) -> Void) throws -> BackboneFeatures
}

/// Fashion-MNIST for the protocol: a `compact`-stem ResNet-18, OneCycle SGD with flips.
public struct FashionMNISTFewShotSource: FewShotSource {
    public let train: FashionMNIST, test: FashionMNIST
    /// - Parameter testLimit: keep the first `testLimit` of a seeded shuffle of the test set.
    public init(train: FashionMNIST, test: FashionMNIST, testLimit: Int? = nil, seed: UInt64 = 42) {
        self.train = train
        var g = RandomGenerator(seed: seed)
        let order = g.permutation(test.count)
        self.test = test.subset(Array(order.prefix(testLimit ?? test.count)))
    }
    public var name: String { "Fashion-MNIST" }
    public var classNames: [String] { FashionMNIST.classNames }
    public var trainingLabels: [Int] { train.labels }
    public var testLabels: [Int] { test.labels }

    public func backbone(rows: [Int], options: FewShotProtocol.Options, seed: UInt64, folder: URL,
                         log: @escaping (String) -> Void) throws -> BackboneFeatures {
        let subset = train.subset(rows)
        let model = ResNet18(classes: 10, inputChannels: 1, stem: .compact, initialization: .torchvision, seed: seed)
        // The per-epoch check uses a cut of the test set; the frozen backbone is scored on all of it below.
        let monitor = test.subset(Array(0..<min(test.count, options.monitorLimit ?? test.count)))
        let data = FashionMNISTData(train: subset, test: monitor, batchSize: options.batchSize, augment: true, padding: 0, seed: options.seed)
        let configuration = TrainingConfiguration(epochs: options.backboneEpochs, learningRate: options.backboneLearningRate,
                                                  optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true),
                                                  schedule: .oneCycle(epochs: options.backboneEpochs, warmup: 0.25, div: 25, finalDiv: 1e4),
                                                  labelSmoothing: 0, seed: options.seed)
        let metadata = CheckpointMetadata(classes: FashionMNIST.classNames, inputChannels: 1, inputSize: 28, stem: .compact,
                                          mean: [FashionMNISTData.mean], std: [FashionMNISTData.std])
        let trainer = Trainer(model: model, configuration: configuration, metadata: metadata, directory: folder.appendingPathComponent("backbone"))
        _ = try trainer.run(data: data) { event in
            if case .epoch(let r) = event {
                log(String(format: "  backbone epoch %d: train acc %.2f %%, monitor acc %.2f %% (%d test images), %.0f s",
                           r.epoch, 100 * r.trainAccuracy, 100 * r.validationAccuracy, monitor.count, r.seconds))
            }
        }
        // Frozen: the last epoch's weights (the protocol does not pick epochs on the test set).
        let (frozen, _) = try Checkpoint.load(contentsOf: trainer.lastCheckpoint)
        frozen.eval()
        func features(_ set: FashionMNIST) -> (features: [Float], predictions: [Int]) {
            let d = FashionMNISTData(train: set, test: set, batchSize: 256, augment: false, seed: options.seed)
            return frozen.featuresAndPredictions(of: d.validationBatches())
        }
        let (trainFeatures, _) = features(subset), (testFeatures, predictions) = features(test)
        return BackboneFeatures(dimension: 512, train: trainFeatures, test: testFeatures, testPredictions: predictions)
    }
}
