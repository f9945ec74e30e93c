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

    /// PyTorch's variants of one state dict: strict `load_state_dict` in torch 2.x accepts a file
    /// without `num_batches_tracked`, `DataParallel` prefixes every key with `module.`,
    /// `torch.compile` with `_orig_mod.`; all load here to the same logits.
    @Test(arguments: ["plain", "no-counters", "module.", "_orig_mod.", "module.+no-counters"])
    func loadsPyTorchsStateDictVariants(_ variant: String) throws {
        let dir = TemporaryFolder.name("ckpt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = ResNet18(classes: 4, stem: .imagenet, seed: 9)
        var g = RandomGenerator(seed: 2)
        let x = Tensor(shape: [2, 3, 32, 32], scalars: (0..<(2 * 3 * 32 * 32)).map { _ in g.normal() })
        _ = withNoGrad { source(x) }
        source.eval()
        let expected = withNoGrad { source(x) }.scalars
        var state = StateDictionary()
        let prefix = variant.hasPrefix("module.") ? "module." : variant == "_orig_mod." ? "_orig_mod." : ""
        for e in source.stateDictionary() where !(variant.hasSuffix("no-counters") && e.name.hasSuffix("num_batches_tracked")) {
            state.set(prefix + e.name, e.tensor, elementType: e.elementType)
        }
        let url = dir.appendingPathComponent("\(variant).safetensors")
        try Safetensors.write(Safetensors.Contents(state: state), to: url)
        let loaded = try Checkpoint.open(contentsOf: url)
        #expect(loaded.strippedPrefix == (prefix.isEmpty ? nil : prefix))
        #expect(!loaded.hasMetadata && loaded.defaults.map(\.key) == ["classes", "input_channels", "stem", "input_size", "normalization_mean", "normalization_std"])
        loaded.model.eval()
        #expect(withNoGrad { loaded.model(x) }.scalars == expected)
    }

    /// Each metadata key present is taken, each missing one defaulted and listed (no more
    /// all-or-nothing): classes and normalisation without `stem` or `input_channels`.
    @Test func takesEachMetadataKeyPresentAndListsTheDefaults() throws {
        let s = ["classes": "[\"a\",\"b\",\"c\"]", "normalization_mean": "[0.1,0.2,0.3]", "normalization_std": "[0.5,0.5,0.5]"]
        let (m, defaults) = CheckpointMetadata.resolved(strings: s, classes: 3, channels: 3, kernel: 7)
        #expect(m.classes == ["a", "b", "c"] && m.mean == [0.1, 0.2, 0.3] && m.std == [0.5, 0.5, 0.5])
        #expect(m.stem == .imagenet && m.inputSize == 224 && m.inputChannels == 3)
        #expect(defaults.map(\.key) == ["input_channels", "stem", "input_size"])
        let grey = CheckpointMetadata.resolved(strings: ["input_size": "28"], classes: 10, channels: 1, kernel: 3)
        #expect(grey.metadata.inputSize == 28 && grey.metadata.stem == .small && grey.metadata.mean == [0] && grey.metadata.std == [1])
        #expect(grey.metadata.classes.first == "class 0" && !grey.defaults.map(\.key).contains("input_size"))
        let rgb = CheckpointMetadata.resolved(strings: [:], classes: 2, channels: 3, kernel: 7)
        #expect(rgb.metadata.mean == [0.485, 0.456, 0.406] && rgb.metadata.std == [0.229, 0.224, 0.225])
        #expect(rgb.defaults.first { $0.key == "normalization_mean" }?.description.contains("ImageNet") == true)
    }

    /// A `torch.save` file (zip archive, or an older bare pickle) is named for what it is, with the
    /// conversion to safetensors — not "header length 578712552184433488 does not fit".
    @Test func aTorchSaveFileIsNamedWithTheConversion() throws {
        let dir = TemporaryFolder.name("ckpt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in [("zip.pt", [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 8, 8, 0] as [UInt8]), ("pickle.pt", [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20])] {
            let url = dir.appendingPathComponent(name)
            try Data(bytes + [UInt8](repeating: 0, count: 64)).write(to: url)
            do { _ = try Checkpoint.load(contentsOf: url); Issue.record("loaded \(name)") } catch {
                let text = "\(error)"
                #expect(text.contains("torch.save") && text.contains("save_file") && !text.contains("header length"), "\(text)")
            }
        }
    }
}
