import TestSupport
import Dataset
import Foundation
import Testing
import Tensor
@testable import Models

@Suite struct CheckpointTests {
    static func reference(_ name: String) -> URL {
        Bundle.module.url(forResource: "Reference/\(name)", withExtension: nil)!
    }

    @Test func loadsAPyTorchCheckpointAndReproducesItsLogits() throws {
        let dir = TemporaryFolder.name("ckpt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("resnet18_torch.safetensors")
        try Gzip.contents(of: Self.reference("resnet18_torch.safetensors.gz")).write(to: file)
        let (model, metadata) = try Checkpoint.load(contentsOf: file)
        #expect(metadata == nil)   // PyTorch's file carries none of our metadata
        #expect(model.stem == .imagenet && model.fc.weight.shape == [31, 512])
        #expect(model.stateDictionary()["layer1.0.bn1.num_batches_tracked"]!.scalars == [123])
        let io = try Safetensors.read(contentsOf: Self.reference("resnet18_torch_io.safetensors")).state
        model.eval()
        let logits = withNoGrad { model(io["input"]!) }
        let expected = io["logits"]!
        #expect(logits.shape == expected.shape)
        let worst = zip(logits.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "max |Δ| = \(worst)")
    }

    @Test func checkpointRoundTrip() throws {
        let model = ResNet18(classes: 7, stem: .small, initialization: .kaimingUniform, seed: 3)
        // Make the batch-norm statistics non-trivial with one training-mode pass.
        var g = RandomGenerator(seed: 5)
        let x = Tensor(shape: [2, 3, 32, 32], scalars: (0..<(2 * 3 * 32 * 32)).map { _ in g.uniform() })
        _ = withNoGrad { model(x) }
        model.eval()
        let logits = withNoGrad { model(x) }
        let metadata = CheckpointMetadata(classes: (0..<7).map { "class \($0), \"quoted\"" }, inputChannels: 3, inputSize: 32,
                                          stem: .small, mean: [0.8752, 0.8656, 0.8636], std: [0.2598, 0.2734, 0.2761],
                                          epoch: 36, metric: 0.616)
        let dir = ProcessInfo.processInfo.environment["FASHION_EXPORT_CHECKPOINT"].map { URL(fileURLWithPath: $0) }
            ?? TemporaryFolder.name("ckpt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("resnet18_swift.safetensors")
        try Checkpoint.save(model, metadata: metadata, to: url)
        // For Tools/make_checkpoint_reference.py --check: the input and the logits computed here.
        var io = StateDictionary()
        io.set("input", x); io.set("logits", logits)
        try Safetensors.write(Safetensors.Contents(state: io), to: dir.appendingPathComponent("resnet18_swift_io.safetensors"))

        let (loaded, readBack) = try Checkpoint.load(contentsOf: url)
        #expect(readBack == metadata)
        loaded.eval()
        #expect(withNoGrad { loaded(x) }.scalars == logits.scalars)
        let raw = try Safetensors.read(contentsOf: url)
        #expect(raw.state.keys.count == 122)
        #expect(raw.state.entries.first { $0.name == "bn1.num_batches_tracked" }?.elementType == .int64)
    }

    @Test func refusesWhatIsNotAResNetCheckpoint() throws {
        let dir = TemporaryFolder.name("ckpt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("other.safetensors")
        var state = StateDictionary()
        state.set("weight", Tensor(shape: [2], scalars: [1, 2]))
        try Safetensors.write(Safetensors.Contents(state: state), to: url)
        #expect(throws: Safetensors.FormatError.self) { try Checkpoint.load(contentsOf: url) }
        // A ResNet with a wrong shape somewhere is refused with the key named.
        let model = ResNet18(classes: 3, stem: .small)
        var bad = model.stateDictionary()
        bad.set("layer2.0.conv1.weight", Tensor(shape: [1], scalars: [0]))
        try Safetensors.write(Safetensors.Contents(state: bad), to: url)
        do { _ = try Checkpoint.load(contentsOf: url); Issue.record("loaded a bad checkpoint") } catch {
            #expect("\(error)".contains("layer2.0.conv1.weight"))
        }
    }

    /// Metadata that cannot describe the weights, integer or NaN weights: a named error, never a trap.
    @Test func refusesInconsistentMetadataAndWeights() throws {
        let dir = TemporaryFolder.name("ckpt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        let model = ResNet18(classes: 3, stem: .small)
        let good = CheckpointMetadata(classes: ["a", "b", "c"], inputChannels: 3, inputSize: 32, stem: .small, mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2])
        func reason(_ edit: (inout CheckpointMetadata) -> Void) throws -> String? {
            var m = good
            edit(&m)
            try Checkpoint.save(model, metadata: m, to: url)
            do { _ = try Checkpoint.load(contentsOf: url); return nil } catch { return "\(error)" }
        }
        #expect(try reason { _ in } == nil)
        #expect(try reason { $0.classes = [] }?.contains("0 class names for an fc layer of 3") == true)
        #expect(try reason { $0.classes = ["a", "b"] }?.contains("2 class names") == true)
        #expect(try reason { $0.inputSize = 0 }?.contains("input_size 0") == true)
        #expect(try reason { $0.inputSize = -5 }?.contains("input_size -5") == true)
        #expect(try reason { $0.inputSize = 100_000 }?.contains("input_size 100000") == true)
        #expect(try reason { $0.mean = [0.5] }?.contains("normalization_mean/std need 3") == true)
        #expect(try reason { $0.std = [0.2, 0, 0.2] }?.contains("positive") == true)
        #expect(try reason { $0.inputChannels = 1 }?.contains("input_channels 1 but conv1 takes 3") == true)
        #expect(try reason { $0.stem = .imagenet }?.contains("does not match") == true)
        // conv1 with 4 input channels, an I32 weight, a NaN weight.
        func stateReason(_ edit: (inout StateDictionary) -> Void) throws -> String {
            var state = model.stateDictionary()
            edit(&state)
            try Safetensors.write(Safetensors.Contents(state: state), to: url)
            do { _ = try Checkpoint.load(contentsOf: url); return "loaded" } catch { return "\(error)" }
        }
        #expect(try stateReason { $0.set("conv1.weight", Tensor.zeros([64, 4, 3, 3])) }.contains("4 input channels"))
        #expect(try stateReason { $0.set("fc.bias", Tensor.zeros([3]), elementType: .int64) }.contains("fc.bias: expected F32 values, found I64"))
        #expect(try stateReason { $0.set("fc.bias", Tensor(shape: [3], scalars: [0, .nan, 0])) }.contains("fc.bias: holds NaN"))
    }
}
