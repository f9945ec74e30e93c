/// Batches for training (a fresh, seeded order and augmentation per epoch) and validation.
public protocol TrainingData {
    /// The batches of 0-based `epoch`; the same epoch gives the same batches.
    func trainingBatches(epoch: Int) -> AnySequence<LabelledBatch>
    /// The validation batches (no augmentation).
    func validationBatches() -> AnySequence<LabelledBatch>
    /// Batches per training epoch (for progress).
    var trainingBatchCount: Int { get }
    /// What the held-out batches are, as logs and reports name them: `validation` (a split
    /// used to choose the best epoch) or `test` (a test set, as Fashion-MNIST's).
    var heldOutName: String { get }
}

extension TrainingData {
    public var heldOutName: String { "validation" }
}
