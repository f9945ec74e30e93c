/// Batches for training (a fresh, seeded order and augmentation per epoch) and validation.
///
/// A process of a data-parallel job asks for its ``BatchShard``: its part of every training
/// batch, and every N-th validation batch.
public protocol TrainingData {
    /// The batches of 0-based `epoch`, or `shard`'s part of each; the same epoch gives the
    /// same batches (and pixels) whatever the shard.
    func trainingBatches(epoch: Int, shard: BatchShard) -> AnySequence<LabelledBatch>
    /// The validation batches (no augmentation), or `shard`'s whole batches of them.
    func validationBatches(shard: BatchShard) -> AnySequence<LabelledBatch>
    /// Batches per training epoch (for progress; whole batches).
    var trainingBatchCount: Int { get }
    /// Images a whole training batch.
    var trainingBatchSize: Int { get }
    /// What the held-out batches are, as logs and reports name them: `validation` (a split
    /// used to choose the best epoch) or `test` (a test set, as Fashion-MNIST's).
    var heldOutName: String { get }
    /// A short text that differs when the data read differently (counts, labels, sizes):
    /// compared across the processes of a data-parallel job before it trains.
    var fingerprint: String { get }
}

extension TrainingData {
    public var heldOutName: String { "validation" }

    /// The batches of 0-based `epoch` (all of each).
    public func trainingBatches(epoch: Int) -> AnySequence<LabelledBatch> { trainingBatches(epoch: epoch, shard: .whole) }

    /// The validation batches (all of them).
    public func validationBatches() -> AnySequence<LabelledBatch> { validationBatches(shard: .whole) }
}

/// Which part of the batches one process of a data-parallel job builds: rank `rank` of
/// `count` takes, of every training batch of B items, the `rank`-th consecutive B/`count`
/// (``Split/withinBatches``; shares past the batch's end are empty), and of the
/// validation batches every `count`-th, starting at `rank` (``Split/wholeBatches``).
public struct BatchShard: Sendable, Equatable {
    /// How the batches are divided.
    public enum Split: Sendable, Equatable {
        /// Each process takes a consecutive part of every batch.
        case withinBatches
        /// Each process takes whole batches, round-robin.
        case wholeBatches
    }
    /// This process's place, 0 ..< `count`.
    public let rank: Int
    /// The processes sharing the batches.
    public let count: Int
    /// How.
    public let split: Split

    /// Rank `rank` of `count`, dividing as `split` says.
    public init(rank: Int, count: Int, split: Split) {
        precondition(count >= 1 && rank >= 0 && rank < count, "BatchShard: rank \(rank) of \(count)")
        self.rank = rank; self.count = count; self.split = split
    }

    /// All of every batch (one process).
    public static let whole = BatchShard(rank: 0, count: 1, split: .withinBatches)
}
