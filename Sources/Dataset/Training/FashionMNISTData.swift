import FashionBase
import Tensor
import Vision

/// Fashion-MNIST as ``TrainingData``: a seeded shuffle per epoch, optional augmentation
/// (torchvision-style `RandomCrop(28, padding)`, `RandomHorizontalFlip` and `RandomErasing`),
/// normalisation with the training set's pixel mean and std, batches built on background threads.
///
/// The held-out batches are the 10,000-image test split — or, with `validation` N > 0, the
/// last N training images of a permutation seeded by `seed` (never trained on), so that every
/// choice of recipe is made without the test set, which ``testBatches(shard:)`` then reads once.
public struct FashionMNISTData: TrainingData {
    /// What the held-out batches are: `test`, or `validation` with a split of the training set.
    public var heldOutName: String { validationIndices.isEmpty ? "test" : "validation" }
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
    /// The training images trained on, in index order (all of them without a validation split).
    public let trainingIndices: [Int]
    /// The training images held out for validation, in index order (empty: the test set is the held-out set).
    public let validationIndices: [Int]
    /// Fashion-MNIST's training-set pixel mean and std.
    public static let mean: Float = 0.2860, std: Float = 0.3530

    /// The data of a run: `padding` pixels of padding for the random crop (0: none), zeros
    /// or as `paddingMode` says,
    /// random erasing with probability `erasing` (torchvision's defaults otherwise; erased
    /// pixels become the mean, torchvision's `value=0` after normalisation), and `validation`
    /// training images held out (0: the test set is the held-out set).
    public init(train: FashionMNIST, test: FashionMNIST, batchSize: Int = 128, augment: Bool = true,
                padding: Int = 2, paddingMode: PaddingMode = .constant(0), erasing: Float = 0, seed: UInt64 = 42,
                limit: Int? = nil, testLimit: Int? = nil, validation: Int = 0) {
        precondition((0..<train.count).contains(validation), "FashionMNISTData: \(validation) validation images of \(train.count)")
        self.train = train; self.test = test; self.batchSize = batchSize; self.seed = seed; self.limit = limit
        self.testLimit = testLimit
        let crop: [any ImageTransform] = padding > 0 ? [RandomCrop(height: train.rows, width: train.columns, padding: padding, mode: paddingMode)] : []
        let erase: [any ImageTransform] = erasing > 0 ? [RandomErasing(p: erasing, fill: .constant([Self.mean]))] : []
        augmentation = augment ? Compose(crop + [RandomHorizontalFlip()] + erase) : nil
        if validation > 0 {
            var g = RandomGenerator(seed: seed ^ 0x7661_6c69_6461_7465)   // "validate": apart from the epochs' streams
            let order = g.permutation(train.count)
            trainingIndices = order.prefix(train.count - validation).sorted()
            validationIndices = order.suffix(validation).sorted()
        } else {
            trainingIndices = Array(0..<train.count)
            validationIndices = []
        }
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
    public var trainingBatchCount: Int {
        ((limit.map { min($0, trainingIndices.count) } ?? trainingIndices.count) + batchSize - 1) / batchSize
    }

    /// The training-set indices of 0-based `epoch` in batch order (a seeded permutation of
    /// ``trainingIndices``, cut to `limit`) — what ``trainingBatches(epoch:)`` walks, exported
    /// for parity runs.
    public func trainingOrder(epoch: Int) -> [Int] {
        var g = RandomGenerator(seed: seed &+ UInt64(epoch) &* 7919)
        let order = g.permutation(trainingIndices.count).map { trainingIndices[$0] }
        return limit.map { Array(order.prefix($0)) } ?? order
    }

    /// The batches of 0-based `epoch` (or `shard`'s part of each).
    public func trainingBatches(epoch: Int, shard: BatchShard) -> AnySequence<LabelledBatch> {
        AnySequence(loader(train, order: trainingOrder(epoch: epoch), epoch: epoch, transform: augmentation, shard: shard))
    }

    /// The held-out images in order, unaugmented (or `shard`'s whole batches of them): the
    /// validation split, or the test images when there is none.
    public func validationBatches(shard: BatchShard) -> AnySequence<LabelledBatch> {
        if !validationIndices.isEmpty { return AnySequence(loader(train, order: validationIndices, epoch: 0, transform: nil, shard: shard)) }
        return testBatches(shard: shard)
    }

    /// The test images in order (the first ``testLimit``), unaugmented.
    public func testBatches(shard: BatchShard = .whole) -> AnySequence<LabelledBatch> {
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
