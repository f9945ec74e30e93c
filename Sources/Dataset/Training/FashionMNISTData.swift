import FashionBase
import Tensor
import Vision

/// Fashion-MNIST as ``TrainingData``: a seeded shuffle per epoch, optional augmentation
/// (torchvision-style `RandomCrop(28, padding)` and `RandomHorizontalFlip`), normalisation
/// with the training set's pixel mean and std, batches built on background threads.
/// Validation is the 10,000-image test split.
public struct FashionMNISTData: TrainingData {
    /// Fashion-MNIST's held-out batches are its test set.
    public var heldOutName: String { "test" }
    /// The two splits.
    public let train: FashionMNIST, test: FashionMNIST
    /// Images a batch.
    public let batchSize: Int
    /// The training transform (nil: none).
    public let augmentation: (any ImageTransform)?
    /// Seed of the augmentation and batch order.
    public let seed: UInt64
    /// Use only the first `limit` shuffled training images per epoch (quick runs).
    public let limit: Int?
    /// Evaluate on only the first `testLimit` test images (quick runs; `nil`: all 10,000).
    public let testLimit: Int?
    /// Fashion-MNIST's training-set pixel mean and std.
    public static let mean: Float = 0.2860, std: Float = 0.3530

    public init(train: FashionMNIST, test: FashionMNIST, batchSize: Int = 128, augment: Bool = true,
                padding: Int = 2, seed: UInt64 = 42, limit: Int? = nil, testLimit: Int? = nil) {
        self.train = train; self.test = test; self.batchSize = batchSize; self.seed = seed; self.limit = limit
        self.testLimit = testLimit
        let crop: [any ImageTransform] = padding > 0 ? [RandomCrop(height: train.rows, width: train.columns, padding: padding)] : []
        augmentation = augment ? Compose(crop + [RandomHorizontalFlip()]) : nil
    }

    /// How many test images ``validationBatches()`` walks: the first ``testLimit``, or all.
    public var testCount: Int { testLimit.map { min(max(0, $0), test.count) } ?? test.count }

    /// Images a training batch.
    public var trainingBatchSize: Int { batchSize }

    /// The two splits' counts, sizes, labels and pixels, hashed (``TrainingData/fingerprint``).
    public var fingerprint: String {
        var f = Fingerprint()
        for set in [train, test] {
            f.combine(integers: [set.count, set.rows, set.columns])
            f.combine(integers: set.labels)
            f.combine(bytes: set.pixels)
        }
        return "Fashion-MNIST \(train.count)+\(test.count) images, \(f)"
    }

    /// Batches a training epoch.
    public var trainingBatchCount: Int { ((limit.map { min($0, train.count) } ?? train.count) + batchSize - 1) / batchSize }

    /// The training-set indices of 0-based `epoch` in batch order (a seeded permutation,
    /// cut to `limit`) — what ``trainingBatches(epoch:)`` walks, exported for parity runs.
    public func trainingOrder(epoch: Int) -> [Int] {
        var g = RandomGenerator(seed: seed &+ UInt64(epoch) &* 7919)
        let order = g.permutation(train.count)
        return limit.map { Array(order.prefix($0)) } ?? order
    }

    /// The batches of 0-based `epoch` (or `shard`'s part of each).
    public func trainingBatches(epoch: Int, shard: BatchShard) -> AnySequence<LabelledBatch> {
        AnySequence(loader(train, order: trainingOrder(epoch: epoch), epoch: epoch, transform: augmentation, shard: shard))
    }

    /// The test images in order, unaugmented (or `shard`'s whole batches of them).
    public func validationBatches(shard: BatchShard) -> AnySequence<LabelledBatch> {
        AnySequence(loader(test, order: Array(0..<testCount), epoch: 0, transform: nil, shard: shard))
    }

    func loader(_ set: FashionMNIST, order: [Int], epoch: Int, transform: (any ImageTransform)?, shard: BatchShard = .whole) -> BatchLoader {
        let rows = set.rows, columns = set.columns, plane = rows * columns
        return BatchLoader(order: order, batchSize: batchSize, itemShape: [1, rows, columns], seed: seed, epoch: epoch,
                           shard: shard) { index, generator, out in
            var image = PlanarImage(channels: 1, height: rows, width: columns,
                                    values: set.pixels[(index * plane)..<((index + 1) * plane)].map { Float($0) / 255 })
            if let transform { image = transform(image, using: &generator) }
            for i in 0..<plane { out[i] = (image.values[i] - Self.mean) / Self.std }
            return set.labels[index]
        }
    }
}
