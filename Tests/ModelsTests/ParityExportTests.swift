import TestSupport
import Foundation
import Testing
import Tensor
@testable import Models

/// What `Tools/pytorch_parity.py` reads: the untrained weights and `batch-order.json` with
/// snake_case keys; a folder that already holds epochs is refused.
@Suite struct ParityExportTests {
    @Test func writesWeightsAndOrderOnceOnly() throws {
        let folder = TemporaryFolder.name("parity")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = ResNet18(classes: 10, inputChannels: 1, stem: .compact, initialization: .torchvision, seed: 3)
        let metadata = CheckpointMetadata(classes: (0..<10).map { "c\($0)" }, inputChannels: 1, inputSize: 28, stem: .compact,
                                          mean: [0.286], std: [0.353])
        let order = ParityExport.BatchOrder(batchSize: 128, learningRate: 0.1, weightDecay: 5e-4, optimizer: "sgd", schedule: "onecycle",
                                            labelSmoothing: 0.1, augment: false, mean: 0.286, std: 0.353, epochs: [[2, 0, 1], [1, 2, 0]])
        try ParityExport.write(model: model, metadata: metadata, order: order, to: folder)
        let data = try Data(contentsOf: folder.appendingPathComponent("batch-order.json"))
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys
        #expect(Set(keys) == ["batch_size", "learning_rate", "weight_decay", "optimizer", "schedule", "label_smoothing",
                              "augment", "mean", "std", "epochs"])
        #expect(try JSONStyle.decoder().decode(ParityExport.BatchOrder.self, from: data) == order)
        let (loaded, _) = try Checkpoint.load(contentsOf: folder.appendingPathComponent("initial.safetensors"))
        #expect(loaded.stateDictionary().keys.sorted() == model.stateDictionary().keys.sorted())
        try Data().write(to: folder.appendingPathComponent("log.jsonl"))
        #expect(throws: TrainerError.self) { try ParityExport.write(model: model, metadata: metadata, order: order, to: folder) }
    }
}
