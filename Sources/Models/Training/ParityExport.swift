import Dataset
import Foundation
import Tensor

/// The files that let PyTorch replay a Fashion-MNIST run from the same start
/// (`Tools/pytorch_parity.py`): the untrained weights as `initial.safetensors` (torchvision's
/// key names) and `batch-order.json` — the recipe and every epoch's training indices.
public enum ParityExport {
    /// `batch-order.json` (snake_case keys).
    public struct BatchOrder: Codable, Equatable, Sendable {
        public var batchSize: Int, learningRate: Double, weightDecay: Double
        /// `adam` or `sgd`; `constant`, `cosine`, `step` or `onecycle`.
        public var optimizer: String, schedule: String
        public var labelSmoothing: Double, augment: Bool
        public var mean: Float, std: Float
        /// Each epoch's training indices in batch order.
        public var epochs: [[Int]]

        public init(batchSize: Int, learningRate: Double, weightDecay: Double, optimizer: String, schedule: String,
                    labelSmoothing: Double, augment: Bool, mean: Float, std: Float, epochs: [[Int]]) {
            self.batchSize = batchSize; self.learningRate = learningRate; self.weightDecay = weightDecay
            self.optimizer = optimizer; self.schedule = schedule; self.labelSmoothing = labelSmoothing
            self.augment = augment; self.mean = mean; self.std = std; self.epochs = epochs
        }
    }

    /// Writes both files into `folder`, which must not hold a run's epochs yet (the weights
    /// must be the run's untrained ones).
    public static func write(model: ResNet18, metadata: CheckpointMetadata, order: BatchOrder, to folder: URL) throws {
        guard !FileManager.default.fileExists(atPath: folder.appendingPathComponent("log.jsonl").path) else {
            throw TrainerError(reason: "\(folder.path) already holds epochs: a parity export needs a fresh run (--restart)")
        }
        try AtomicFile.createFolder(folder)
        try Checkpoint.save(model, metadata: metadata, to: folder.appendingPathComponent("initial.safetensors"))
        try AtomicFile.write(JSONStyle.encoder(pretty: false).encode(order), to: folder.appendingPathComponent("batch-order.json"))
    }
}
