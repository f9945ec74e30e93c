import Dispatch
import Tensor

/// Where a ResNet-18 training step spends its time (`fashion bench step`): each op of the
/// forward and backward passes (`OpProfile` in Tensor), the loss, the optimiser and zeroing the
/// gradients, over a few steps after a warm-up, at any image size, stem and batch.
public struct StepProfile {
    /// Image side.
    public var imageSize = 224
    /// Images per step.
    public var batch = 16
    /// Input channels (1: grey, 3: RGB).
    public var inputChannels = 3
    /// Classifier outputs.
    public var classes = 31
    /// ResNet-18's first layers.
    public var stem: ResNet18.Stem = .imagenet
    /// `true`: Adam (K-Fashion's); `false`: SGD with momentum 0.9 (the few-shot backbones').
    public var adam = true
    /// Timed steps after one warm-up step.
    public var steps = 3

    /// ResNet-18 at 224×224, batch 16, 3 channels, 31 classes, Adam, 3 steps (K-Fashion's training).
    public init() {}

    /// One key's share of a step.
    public struct Row: Codable, Sendable {
        /// Op name and detail (`conv2d 3×3/1 64→64 at 14×14`, `batchNorm 64×14×14`, `optimizer step`…).
        public let op: String
        /// The op's family: its name without the detail.
        public let family: String
        /// Forward calls per step.
        public let calls: Int
        /// Milliseconds per step in the forward pass (or the whole of a non-graph phase).
        public let forward_ms: Double
        /// Milliseconds per step in backward closures.
        public let backward_ms: Double
        /// Share of the measured step time.
        public let share: Double
    }

    /// What one run measured (the JSON of `fashion bench step --json`).
    public struct Report: Codable, Sendable {
        /// The settings measured: image side, batch, stem, optimiser, kernel threads, timed steps.
        public let image_size: Int, batch: Int, stem: String, optimizer: String, threads: Int, steps: Int
        /// Wall time of a whole step, milliseconds.
        public let step_ms: Double
        /// Images per second of whole steps.
        public let images_per_second: Double
        /// Every key, slowest first.
        public let ops: [Row]
        /// Per family (conv2d, batchNorm, relu, add…), slowest first.
        public let families: [Row]
        /// Step time no key accounts for (the autograd bookkeeping between ops), milliseconds.
        public let unattributed_ms: Double
    }

    /// Runs the steps and reports.
    public func run() -> Report {
        let model = ResNet18(classes: classes, inputChannels: inputChannels, stem: stem)
        let optimizer: Optimizer = adam ? Adam(model.parameters) : SGD(model.parameters, learningRate: 0.01, momentum: 0.9)
        var g = RandomGenerator(seed: 3)
        let x = Initializer.uniform([batch, inputChannels, imageSize, imageSize], bound: 1, generator: &g)
        let targets = (0..<batch).map { $0 % classes }
        let profile = OpProfile()
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        func step(_ profile: OpProfile?) {
            var t = now()
            optimizer.zeroGrad()
            profile?.add("zero gradients", forward: Double(now() - t) / 1e9)
            profile?.mark()
            let loss = softmaxCrossEntropy(logits: model(x), targets: targets)
            loss.backward()
            t = now()
            optimizer.step()
            profile?.add("optimizer step", forward: Double(now() - t) / 1e9)
        }
        step(nil)   // warm-up: workspaces, optimiser state, page faults
        let n = max(1, steps)
        let t0 = now()
        profile.measure { for _ in 0..<n { step(profile) } }
        let stepSeconds = Double(now() - t0) / 1e9 / Double(n)

        func row(_ op: String, _ family: String, _ e: OpProfile.Entry) -> Row {
            Row(op: op, family: family, calls: e.calls / n, forward_ms: e.forwardSeconds * 1e3 / Double(n),
                backward_ms: e.backwardSeconds * 1e3 / Double(n), share: e.totalSeconds / Double(n) / stepSeconds)
        }
        func family(_ key: String) -> String { String(key.prefix { $0 != " " }) }
        let ops = profile.order.map { row($0, family($0), profile.entries[$0] ?? .init()) }.sorted { $0.share > $1.share }
        var byFamily: [String: OpProfile.Entry] = [:], familyOrder: [String] = []
        for key in profile.order {
            let f = family(key), e = profile.entries[key] ?? .init()
            if byFamily[f] == nil { familyOrder.append(f) }
            byFamily[f, default: .init()].forwardSeconds += e.forwardSeconds
            byFamily[f, default: .init()].backwardSeconds += e.backwardSeconds
            byFamily[f, default: .init()].calls += e.calls
        }
        let families = familyOrder.map { row($0, $0, byFamily[$0] ?? .init()) }.sorted { $0.share > $1.share }
        let attributed = profile.entries.values.reduce(0) { $0 + $1.totalSeconds } / Double(n)
        return Report(image_size: imageSize, batch: batch, stem: stem.rawValue, optimizer: adam ? "adam" : "sgd",
                      threads: Threading.coreCount, steps: n, step_ms: stepSeconds * 1e3,
                      images_per_second: Double(batch) / stepSeconds, ops: ops, families: families,
                      unattributed_ms: max(0, stepSeconds - attributed) * 1e3)
    }
}
