import Foundation
import Tensor

/// What a model checkpoint says about itself, kept in the safetensors `__metadata__` (strings).
public struct CheckpointMetadata: Codable, Equatable, Sendable {
    /// Bumped when the metadata's meaning changes.
    public var formatVersion = 1
    /// The network (`resnet18`).
    public var architecture = "resnet18"
    /// Class names in label order (the label encoder's sorted list).
    public var classes: [String]
    /// 3 for RGB, 1 for grey images.
    public var inputChannels: Int
    /// Side of the square input the model was trained on.
    public var inputSize: Int
    /// torchvision's stem or the compact one for small images.
    public var stem: ResNet18.Stem
    /// Per-channel normalisation applied to inputs in [0, 1].
    public var mean: [Float]
    /// Per-channel standard deviation of that normalisation.
    public var std: [Float]
    /// The epoch the weights are from (counted from 1; 0 before training).
    public var epoch: Int
    /// What ``metric`` measures (`validation_accuracy`, `test_accuracy`).
    public var metricName: String
    /// The checkpoint's figure on ``metricName``.
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
    /// The side (px) the training photos were prepared at before they were resized to
    /// ``inputSize`` (training at 64 px on photos prepared at 112 px, say), so a new photo goes
    /// through the same chain (`Dataset/PreparedPhoto`). Nil: prepared at the input size, or unknown.
    public var preparedSize: Int?

    /// Metadata of a model; epoch and metric are filled in by the trainer.
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
        if let preparedSize { out["prepared_size"] = String(preparedSize) }
        return out
    }

    /// The metadata keys this project reads (Docs/CHECKPOINTS.md says what each means).
    public static let keys = ["format_version", "architecture", "classes", "input_channels", "input_size", "stem",
                              "normalization_mean", "normalization_std", "epoch", "metric_name", "metric",
                              "minority_classes", "preparation", "prepared_size"]

    /// Metadata read back from strings; nil when the file has none of the keys that describe a
    /// model (`classes`, `input_channels`, `input_size`, `stem`, `normalization_mean/std`) — e.g.
    /// a plain PyTorch `state_dict`. A file with some of them gets the rest from the model's
    /// shape only through ``resolved(strings:classes:channels:kernel:)``; here they must all be there.
    public init?(strings s: [String: String]) {
        guard let classes = s["classes"].flatMap(Self.decodeList([String].self)), let channels = s["input_channels"].flatMap(Int.init),
              let size = s["input_size"].flatMap(Int.init), let stem = s["stem"].flatMap(ResNet18.Stem.init(rawValue:)) else { return nil }
        self.init(classes: classes, inputChannels: channels, inputSize: size, stem: stem, mean: [], std: [])
        take(s)
    }

    /// A default that stood in for a metadata key the file lacks.
    public struct DefaultUsed: Equatable, Sendable, CustomStringConvertible {
        /// The missing key (`input_size`, `normalization_mean`, …).
        public let key: String
        /// The value used instead, as text.
        public let value: String
        public var description: String { "no \(key) in the metadata; using \(value)" }
    }

    /// The metadata of a model with `classes` outputs and a `conv1` of `channels` inputs and a
    /// `kernel`-wide kernel: each key present in `s` is taken, each missing one gets a default,
    /// listed in `defaults` so a caller can warn. Defaults: classes `class 0`, `class 1`, …; stem
    /// from the kernel (7 → `imagenet`, 3 → `small`); input size 224 for the ImageNet stem, 28
    /// for the small-image stems; normalisation torchvision's ImageNet mean/std for RGB, mean 0
    /// and std 1 for grey. A value that does not parse counts as missing.
    public static func resolved(strings s: [String: String], classes count: Int, channels: Int, kernel: Int)
        -> (metadata: CheckpointMetadata, defaults: [DefaultUsed]) {
        var defaults: [DefaultUsed] = []
        func value<T>(_ key: String, _ parse: (String) -> T?, _ fallback: T, _ text: @autoclosure () -> String) -> T {
            if let v = s[key].flatMap(parse) { return v }
            defaults.append(DefaultUsed(key: key, value: text()))
            return fallback
        }
        let numbered = (0..<count).map { "class \($0)" }
        let classes = value("classes", decodeList([String].self), numbered, "class 0 … class \(count - 1)")
        let inputChannels = value("input_channels", { Int($0) }, channels, "\(channels) (conv1's)")
        let shapeStem: ResNet18.Stem = kernel == 7 ? .imagenet : .small
        let stem = value("stem", ResNet18.Stem.init(rawValue:), shapeStem, "\(shapeStem.rawValue) (from conv1's \(kernel)×\(kernel) kernel)")
        let defaultSize = stem == .imagenet ? 224 : 28
        let size = value("input_size", { Int($0) }, defaultSize, "\(defaultSize) px")
        let rgb = channels == 3
        let mean = value("normalization_mean", decodeList([Float].self), rgb ? [0.485, 0.456, 0.406] : [Float](repeating: 0, count: channels),
                         rgb ? "torchvision's ImageNet mean [0.485, 0.456, 0.406]" : "0 (inputs in [0, 1] as they are)")
        let std = value("normalization_std", decodeList([Float].self), rgb ? [0.229, 0.224, 0.225] : [Float](repeating: 1, count: channels),
                        rgb ? "torchvision's ImageNet std [0.229, 0.224, 0.225]" : "1")
        var m = CheckpointMetadata(classes: classes, inputChannels: inputChannels, inputSize: size, stem: stem, mean: mean, std: std)
        m.take(s)
        m.mean = mean; m.std = std
        return (m, defaults)
    }

    /// Takes the optional keys present in `s` (normalisation, epoch, metric, minority classes,
    /// preparation, format version, architecture).
    private mutating func take(_ s: [String: String]) {
        if let v = s["normalization_mean"].flatMap(Self.decodeList([Float].self)) { mean = v }
        if let v = s["normalization_std"].flatMap(Self.decodeList([Float].self)) { std = v }
        epoch = s["epoch"].flatMap(Int.init) ?? 0
        metricName = s["metric_name"] ?? ""
        metric = s["metric"].flatMap(Double.init) ?? 0
        minorityClasses = s["minority_classes"].flatMap(Self.decodeList([String].self))
        preparation = s["preparation"]
        preparedSize = s["prepared_size"].flatMap(Int.init)
        formatVersion = s["format_version"].flatMap(Int.init) ?? 1
        architecture = s["architecture"] ?? "resnet18"
    }

    private static func decodeList<T: Decodable>(_ type: T.Type) -> (String) -> T? {
        { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
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
        if let preparedSize, !(1...16384).contains(preparedSize) { return "prepared_size \(preparedSize) is outside 1…16384" }
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

    /// A checkpoint read back: the model, its metadata with a default for each key the file
    /// lacks, and those defaults (to warn about).
    public struct Loaded {
        /// The model, weights loaded, in evaluation mode.
        public let model: ResNet18
        /// Complete: the file's keys, defaults for the rest (``CheckpointMetadata/resolved(strings:classes:channels:kernel:)``).
        public let metadata: CheckpointMetadata
        /// Each default that stood in for a missing key (empty for this project's own files).
        public let defaults: [CheckpointMetadata.DefaultUsed]
        /// Whether the file carries any metadata key of this project's (a plain PyTorch `state_dict` does not).
        public let hasMetadata: Bool
        /// A key prefix removed from every key (`module.` from `DataParallel`, `_orig_mod.` from `torch.compile`).
        public let strippedPrefix: String?

        /// One line per default used, naming the file: what to tell a user before predicting.
        public func warnings(for path: String) -> [String] {
            defaults.map { "warning: \(path): \($0)" }
        }
    }

    /// The prefixes PyTorch wrappers put before every key, removed as
    /// `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present` does.
    static let wrapperPrefixes = ["module.", "_orig_mod."]

    /// Reads a checkpoint — this project's, or PyTorch's `state_dict` saved with
    /// `safetensors.torch.save_file`: keys with a `module.`/`_orig_mod.` prefix, without
    /// `num_batches_tracked`, with some or none of the metadata — and builds the model it describes.
    /// The shapes decide what the metadata leaves open: classes from `fc.weight`, input channels
    /// and stem from `conv1.weight` (7×7 → torchvision's, 3×3 → small).
    public static func open(contentsOf url: URL) throws -> Loaded {
        let contents = try Safetensors.read(contentsOf: url)
        var state = contents.state
        var stripped: String?
        for prefix in wrapperPrefixes where state.count > 0 && state.keys.allSatisfy({ $0.hasPrefix(prefix) }) {
            var renamed = StateDictionary()
            for e in state { renamed.set(String(e.name.dropFirst(prefix.count)), e.tensor, elementType: e.elementType) }
            state = renamed
            stripped = (stripped ?? "") + prefix
        }
        guard let fc = state["fc.weight"], fc.shape.count == 2, let conv1 = state["conv1.weight"], conv1.shape.count == 4 else {
            let sample = state.keys.prefix(3).joined(separator: ", ")
            throw Safetensors.FormatError(path: url.path, reason: "not a ResNet-18 checkpoint (no fc.weight or conv1.weight; keys: \(sample.isEmpty ? "none" : sample)…)")
        }
        func fail(_ why: String) -> Safetensors.FormatError { Safetensors.FormatError(path: url.path, reason: why) }
        // Everything below sizes a model or an input from the file: check it before building anything.
        let classes = fc.shape[0], channels = conv1.shape[1], kernel = conv1.shape[2]
        guard classes >= 1 else { throw fail("fc.weight has no rows (0 classes)") }
        guard channels == 1 || channels == 3 else { throw fail("conv1 takes \(channels) input channels; only 1 (grey) or 3 (RGB) are supported") }
        guard conv1.shape[0] == 64, kernel == conv1.shape[3], kernel == 7 || kernel == 3 else {
            throw fail("conv1.weight has shape \(conv1.shape); ResNet-18's is [64, C, 7, 7] or, for small images, [64, C, 3, 3]")
        }
        let hasMetadata = CheckpointMetadata.keys.contains { contents.metadata[$0] != nil }
        let (metadata, defaults) = CheckpointMetadata.resolved(strings: contents.metadata, classes: classes, channels: channels, kernel: kernel)
        if let problem = metadata.problem(classes: classes, channels: channels, kernel: kernel) { throw fail("metadata: \(problem)") }
        let model = ResNet18(classes: classes, inputChannels: channels, stem: metadata.stem)
        do { try model.load(state) } catch {
            throw Safetensors.FormatError(path: url.path, reason: "\(error)")
        }
        return Loaded(model: model, metadata: metadata, defaults: defaults, hasMetadata: hasMetadata, strippedPrefix: stripped)
    }

    /// Reads a checkpoint (``open(contentsOf:)``); the metadata is nil when the file carries none
    /// of this project's keys (a plain PyTorch `state_dict`), else complete (defaults for missing keys).
    public static func load(contentsOf url: URL) throws -> (model: ResNet18, metadata: CheckpointMetadata?) {
        let loaded = try open(contentsOf: url)
        return (loaded.model, loaded.hasMetadata ? loaded.metadata : nil)
    }
}
