import Foundation
import Tensor

/// What a model checkpoint says about itself, kept in the safetensors `__metadata__` (strings).
public struct CheckpointMetadata: Codable, Equatable, Sendable {
    /// Bumped when the metadata's meaning changes.
    public var formatVersion = 1
    public var architecture = "resnet18"
    /// Class names in label order (the label encoder's sorted list).
    public var classes: [String]
    public var inputChannels: Int
    /// Side of the square input the model was trained on.
    public var inputSize: Int
    public var stem: ResNet18.Stem
    /// Per-channel normalisation applied to inputs in [0, 1].
    public var mean: [Float]
    public var std: [Float]
    public var epoch: Int
    public var metricName: String
    public var metric: Double
    /// The classes `acc_h` counts as minority, decided when the model was trained
    /// (``Evaluation/minorityClasses(trainingCounts:)``: fewer training photos than the median
    /// class), so every later evaluation of the checkpoint uses the same split. Nil in files
    /// from before it was recorded or from other tools.
    public var minorityClasses: [String]?
    /// How the training photos were prepared (`PhotoPreparer.recipe`, e.g.
    /// `background=flood margin=0.02`), so ``Predictor`` prepares a new photo the same way.
    /// Nil for models trained on images used as they are (Fashion-MNIST) and in older files.
    public var preparation: String?

    public init(classes: [String], inputChannels: Int, inputSize: Int, stem: ResNet18.Stem,
                mean: [Float], std: [Float], epoch: Int = 0, metricName: String = "validation_accuracy", metric: Double = 0) {
        self.classes = classes; self.inputChannels = inputChannels; self.inputSize = inputSize; self.stem = stem
        self.mean = mean; self.std = std; self.epoch = epoch; self.metricName = metricName; self.metric = metric
    }

    /// The metadata as safetensors strings (lists as JSON).
    public var strings: [String: String] {
        func json<T: Encodable>(_ v: T) -> String { String(decoding: (try? JSONEncoder().encode(v)) ?? Data("[]".utf8), as: UTF8.self) }
        var out = ["format_version": String(formatVersion), "architecture": architecture, "classes": json(classes),
                   "input_channels": String(inputChannels), "input_size": String(inputSize), "stem": stem.rawValue,
                   "normalization_mean": json(mean), "normalization_std": json(std), "epoch": String(epoch),
                   "metric_name": metricName, "metric": String(metric)]
        if let minorityClasses { out["minority_classes"] = json(minorityClasses) }
        if let preparation { out["preparation"] = preparation }
        return out
    }

    /// Metadata read back from strings; nil when the file has none of ours (e.g. made by PyTorch).
    public init?(strings s: [String: String]) {
        func list<T: Decodable>(_ key: String, _ type: T.Type) -> T? { s[key].flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) } }
        guard let classes = list("classes", [String].self), let channels = s["input_channels"].flatMap(Int.init),
              let size = s["input_size"].flatMap(Int.init), let stem = s["stem"].flatMap(ResNet18.Stem.init(rawValue:)) else { return nil }
        self.init(classes: classes, inputChannels: channels, inputSize: size, stem: stem,
                  mean: list("normalization_mean", [Float].self) ?? [], std: list("normalization_std", [Float].self) ?? [],
                  epoch: s["epoch"].flatMap(Int.init) ?? 0, metricName: s["metric_name"] ?? "", metric: s["metric"].flatMap(Double.init) ?? 0)
        minorityClasses = list("minority_classes", [String].self)
        preparation = s["preparation"]
        formatVersion = s["format_version"].flatMap(Int.init) ?? 1
        architecture = s["architecture"] ?? "resnet18"
    }

    /// Why this metadata cannot describe a model whose `fc` has `classes` rows and whose `conv1`
    /// takes `channels` inputs with a `kernel`-wide kernel (nil when it can).
    public func problem(classes count: Int, channels: Int, kernel: Int) -> String? {
        if classes.count != count { return "\(classes.count) class names for an fc layer of \(count) outputs" }
        if Set(classes).count != classes.count || classes.contains(where: \.isEmpty) { return "class names must be distinct and non-empty" }
        if inputChannels != channels { return "input_channels \(inputChannels) but conv1 takes \(channels)" }
        if !(1...4096).contains(inputSize) { return "input_size \(inputSize) is outside 1…4096" }
        if (stem == .imagenet) != (kernel == 7) { return "stem \(stem.rawValue) does not match conv1's \(kernel)×\(kernel) kernel" }
        if mean.count != channels || std.count != channels { return "normalization_mean/std need \(channels) values each (found \(mean.count) and \(std.count))" }
        if !mean.allSatisfy(\.isFinite) || !std.allSatisfy({ $0.isFinite && $0 > 0 }) { return "normalization_mean must be finite and normalization_std positive" }
        if let minority = minorityClasses, let unknown = minority.first(where: { !classes.contains($0) }) {
            return "minority class \(unknown) is not among the classes"
        }
        return nil
    }
}

/// ResNet-18 checkpoints as safetensors with torchvision's 122 keys — loadable in PyTorch with
/// `model.load_state_dict(safetensors.torch.load_file(path))`, and PyTorch's loadable here.
///
/// For the small-image stems, the PyTorch model needs the same changes first:
/// `model.conv1 = nn.Conv2d(c, 64, 3, 1, 1, bias=False)`, and for `.small` also
/// `model.maxpool = nn.Identity()` (`.compact` keeps torchvision's max-pool). The stem is in
/// the file's metadata (`stem`).
public enum Checkpoint {
    /// Writes the model's state dictionary and `metadata` to `url` atomically.
    public static func save(_ model: ResNet18, metadata: CheckpointMetadata, to url: URL) throws {
        try Safetensors.write(Safetensors.Contents(state: model.stateDictionary(), metadata: metadata.strings), to: url)
    }

    /// Reads a checkpoint and builds the model it describes. Files without this project's
    /// metadata (a PyTorch `state_dict`) are understood from their shapes: classes from
    /// `fc.weight`, input channels and stem from `conv1.weight` (7×7 → torchvision's, 3×3 → small).
    public static func load(contentsOf url: URL) throws -> (model: ResNet18, metadata: CheckpointMetadata?) {
        let contents = try Safetensors.read(contentsOf: url)
        let state = contents.state
        guard let fc = state["fc.weight"], fc.shape.count == 2, let conv1 = state["conv1.weight"], conv1.shape.count == 4 else {
            throw Safetensors.FormatError(path: url.path, reason: "not a ResNet-18 checkpoint (no fc.weight or conv1.weight)")
        }
        func fail(_ why: String) -> Safetensors.FormatError { Safetensors.FormatError(path: url.path, reason: why) }
        // Everything below sizes a model or an input from the file: check it before building anything.
        let classes = fc.shape[0], channels = conv1.shape[1], kernel = conv1.shape[2]
        guard classes >= 1 else { throw fail("fc.weight has no rows (0 classes)") }
        guard channels == 1 || channels == 3 else { throw fail("conv1 takes \(channels) input channels; only 1 (grey) or 3 (RGB) are supported") }
        guard conv1.shape[0] == 64, kernel == conv1.shape[3], kernel == 7 || kernel == 3 else {
            throw fail("conv1.weight has shape \(conv1.shape); ResNet-18's is [64, C, 7, 7] or, for small images, [64, C, 3, 3]")
        }
        let metadata = CheckpointMetadata(strings: contents.metadata)
        if let m = metadata {
            if let problem = m.problem(classes: classes, channels: channels, kernel: kernel) { throw fail("metadata: \(problem)") }
        }
        let stem: ResNet18.Stem = metadata?.stem ?? (kernel == 7 ? .imagenet : .small)
        let model = ResNet18(classes: fc.shape[0], inputChannels: conv1.shape[1], stem: stem)
        do { try model.load(state) } catch {
            throw Safetensors.FormatError(path: url.path, reason: "\(error)")
        }
        return (model, metadata)
    }
}
