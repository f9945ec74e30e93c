import Dataset
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tensor

/// How a classifier is trained.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The optimiser and its settings, as PyTorch names them.
    public enum OptimizerKind: Codable, Equatable, Sendable {
        /// `torch.optim.Adam` with L2 weight decay.
        case adam(weightDecay: Double)
        /// `torch.optim.SGD`.
        case sgd(momentum: Double, weightDecay: Double, nesterov: Bool)
    }

    /// Epochs of the whole run (a resume trains up to this many).
    public var epochs: Int
    /// The base (or peak, for one-cycle) learning rate.
    public var learningRate: Double
    /// Adam or SGD, with weight decay and momentum.
    public var optimizer: OptimizerKind
    /// How the learning rate moves over the epochs.
    public var schedule: LearningRateSchedule
    /// Label smoothing ε of the cross-entropy (`torch.nn.CrossEntropyLoss(label_smoothing:)`).
    public var labelSmoothing: Double
    /// Seeds the initial weights, every epoch's permutation and augmentation.
    public var seed: UInt64
    /// What the batches are made of (image size, batch size, augmentation target, classes,
    /// photos, normalisation…), as the caller names them: a resume must find the same.
    public var data: [String: String]?
    /// The precision of the convolutions and linear layers, forward and backward
    /// (`withAutocast(_:_:)`): weights, optimiser state and checkpoints stay FP32 either way.
    public var precision: Precision
    /// The weight decay of the one-dimensional parameters — biases, batch norm's scales and
    /// shifts (Tensor's `ParameterGroup.byDimension(_:vectors:)`); nil: the optimiser's, as every other parameter.
    public var vectorWeightDecay: Double?
    /// The one-dimensional parameters' learning rate as a factor of the schedule's (1: the same).
    public var vectorLearningRateScale: Double
    /// The decay of an exponential moving average of the weights (Tensor's `ExponentialMovingAverage`,
    /// with warm-up), which then is what is evaluated and saved as `best.safetensors` and
    /// `ema.safetensors`; nil: none, the weights themselves are evaluated.
    public var averageDecay: Double?
    /// Evaluate with horizontal-flip test-time augmentation (the mean of the logits of each
    /// image and its mirror image).
    public var testTimeFlip: Bool
    /// Evaluate with the images shifted by a pixel as well (Jordan's airbench `tta_level=2`,
    /// ``ClassifierEpoch/logits(_:_:flip:shifts:)``).
    public var testTimeShifts: Bool
    /// Lookahead around the optimiser (Tensor's `Lookahead`): every `steps`-th step the slow
    /// weights move `alpha` of the way to the weights, which are then reset to them; nil: none.
    public var lookahead: LookaheadSettings?

    /// Lookahead's k and α.
    public struct LookaheadSettings: Codable, Equatable, Sendable, CustomStringConvertible {
        /// Optimiser steps between synchronisations (k).
        public var steps: Int
        /// The share of the way the slow weights move (α).
        public var alpha: Double
        /// k and α.
        public init(steps: Int, alpha: Double) { self.steps = steps; self.alpha = alpha }
        /// `k 5, alpha 0.5`.
        public var description: String { "k \(steps), alpha \(alpha)" }
    }

    /// A configuration; the defaults are Adam without weight decay at 1e-3, constant, no smoothing, seed 42, FP32,
    /// no parameter groups, no weight average, no test-time augmentation.
    public init(epochs: Int, learningRate: Double = 1e-3, optimizer: OptimizerKind = .adam(weightDecay: 0),
                schedule: LearningRateSchedule = .constant, labelSmoothing: Double = 0, seed: UInt64 = 42,
                data: [String: String]? = nil, precision: Precision = .fp32, vectorWeightDecay: Double? = nil,
                vectorLearningRateScale: Double = 1, averageDecay: Double? = nil, testTimeFlip: Bool = false,
                testTimeShifts: Bool = false, lookahead: LookaheadSettings? = nil) {
        self.epochs = epochs; self.learningRate = learningRate; self.optimizer = optimizer
        self.schedule = schedule; self.labelSmoothing = labelSmoothing; self.seed = seed; self.data = data
        self.precision = precision; self.vectorWeightDecay = vectorWeightDecay; self.vectorLearningRateScale = vectorLearningRateScale
        self.averageDecay = averageDecay; self.testTimeFlip = testTimeFlip
        self.testTimeShifts = testTimeShifts; self.lookahead = lookahead
    }

    /// Why a run saved under `saved` cannot go on under `self`, one phrase per difference (empty
    /// when it can). More epochs extend a run whose schedule does not span the epochs
    /// (constant, step); a cosine or one-cycle schedule is fitted to its total, so changing
    /// that would change the epochs already trained.
    public func differences(from saved: TrainingConfiguration, completedEpochs: Int) -> [String] {
        var out: [String] = []
        if epochs < completedEpochs { out.append("\(completedEpochs) epochs are done, --epochs \(epochs) is fewer") }
        if learningRate != saved.learningRate { out.append("learning rate \(saved.learningRate) → \(learningRate)") }
        if optimizer != saved.optimizer { out.append("optimiser \(saved.optimizer) → \(optimizer)") }
        if schedule != saved.schedule {
            out.append("schedule \(saved.schedule) → \(schedule)"
                       + (epochs != saved.epochs ? " (it spans the run's \(saved.epochs) epochs, so a longer run needs --restart)" : ""))
        }
        if labelSmoothing != saved.labelSmoothing { out.append("label smoothing \(saved.labelSmoothing) → \(labelSmoothing)") }
        if seed != saved.seed { out.append("seed \(saved.seed) → \(seed)") }
        if precision != saved.precision { out.append("precision \(saved.precision) → \(precision)") }
        func text(_ v: Double?) -> String { v.map { String($0) } ?? "none" }
        if vectorWeightDecay != saved.vectorWeightDecay {
            out.append("weight decay of vectors \(text(saved.vectorWeightDecay)) → \(text(vectorWeightDecay))")
        }
        if vectorLearningRateScale != saved.vectorLearningRateScale {
            out.append("learning-rate factor of vectors \(saved.vectorLearningRateScale) → \(vectorLearningRateScale)")
        }
        if averageDecay != saved.averageDecay { out.append("weight average decay \(text(saved.averageDecay)) → \(text(averageDecay))") }
        if testTimeFlip != saved.testTimeFlip { out.append("test-time flip \(saved.testTimeFlip) → \(testTimeFlip)") }
        if testTimeShifts != saved.testTimeShifts { out.append("test-time shifts \(saved.testTimeShifts) → \(testTimeShifts)") }
        if lookahead != saved.lookahead {
            out.append("lookahead \(saved.lookahead.map(String.init(describing:)) ?? "none") → \(lookahead.map(String.init(describing:)) ?? "none")")
        }
        let before = saved.data ?? [:], now = data ?? [:]
        for key in Set(before.keys).union(now.keys).sorted() where before[key] != now[key] {
            out.append("\(key) \(before[key] ?? "(not recorded)") → \(now[key] ?? "(not given)")")
        }
        return out
    }

    enum CodingKeys: String, CodingKey {
        case epochs, learningRate, optimizer, schedule, labelSmoothing, seed, data, precision
        case vectorWeightDecay, vectorLearningRateScale, averageDecay, testTimeFlip, testTimeShifts, lookahead
    }

    /// Decodes a saved configuration (older `trainer_state.json` files included).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decode(Int.self, forKey: .epochs)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        optimizer = try c.decode(OptimizerKind.self, forKey: .optimizer)
        schedule = try c.decode(LearningRateSchedule.self, forKey: .schedule)
        labelSmoothing = try c.decode(Double.self, forKey: .labelSmoothing)
        seed = try c.decode(UInt64.self, forKey: .seed)
        data = try c.decodeIfPresent([String: DataSetting].self, forKey: .data)?.mapValues(\.text)
        let precisionText = try c.decodeIfPresent(String.self, forKey: .precision) ?? Precision.fp32.rawValue
        guard let precision = Precision(rawValue: precisionText) else {
            throw DecodingError.dataCorruptedError(forKey: .precision, in: c, debugDescription: "precision \(precisionText) is not fp32 or bf16")
        }
        self.precision = precision
        vectorWeightDecay = try c.decodeIfPresent(Double.self, forKey: .vectorWeightDecay)
        vectorLearningRateScale = try c.decodeIfPresent(Double.self, forKey: .vectorLearningRateScale) ?? 1
        averageDecay = try c.decodeIfPresent(Double.self, forKey: .averageDecay)
        testTimeFlip = try c.decodeIfPresent(Bool.self, forKey: .testTimeFlip) ?? false
        testTimeShifts = try c.decodeIfPresent(Bool.self, forKey: .testTimeShifts) ?? false
        lookahead = try c.decodeIfPresent(LookaheadSettings.self, forKey: .lookahead)
    }

    /// The data settings are written as typed JSON values where that reads back to the same
    /// text (`"batch_size": 32`, `"augment": true`, `"lr": 0.068`), as text otherwise; files
    /// that hold every setting as text (older runs) read the same.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(optimizer, forKey: .optimizer)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(labelSmoothing, forKey: .labelSmoothing)
        try c.encode(seed, forKey: .seed)
        try c.encodeIfPresent(data?.mapValues(DataSetting.init), forKey: .data)
        // Written only when not FP32, so FP32 runs' files read as before mixed precision existed.
        if precision != .fp32 { try c.encode(precision.rawValue, forKey: .precision) }
        // Likewise the recipe's parts, written only when used.
        try c.encodeIfPresent(vectorWeightDecay, forKey: .vectorWeightDecay)
        if vectorLearningRateScale != 1 { try c.encode(vectorLearningRateScale, forKey: .vectorLearningRateScale) }
        try c.encodeIfPresent(averageDecay, forKey: .averageDecay)
        if testTimeFlip { try c.encode(true, forKey: .testTimeFlip) }
        if testTimeShifts { try c.encode(true, forKey: .testTimeShifts) }
        try c.encodeIfPresent(lookahead, forKey: .lookahead)
    }
}

/// One data setting of ``TrainingConfiguration/data`` in JSON: a Boolean, an integer or a
/// fraction when its text is exactly how that value prints (so decoding gives the same text
/// back), a string otherwise.
struct DataSetting: Codable, Equatable {
    let text: String
    init(_ text: String) { self.text = text }

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { text = String(i) }
        else if let d = try? c.decode(Double.self) { text = String(d) }
        else if let b = try? c.decode(Bool.self) { text = String(b) }
        else { text = try c.decode(String.self) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if text == "true" || text == "false" { try c.encode(text == "true") }
        else if let i = Int(text), String(i) == text { try c.encode(i) }
        else if let d = Double(text), d.isFinite, d != d.rounded(), String(d) == text { try c.encode(d) }
        else { try c.encode(text) }
    }
}

/// One epoch of a run, as logged (one JSON line each in `log.jsonl`).
public struct EpochRecord: Codable, Equatable, Sendable {
    /// The epoch, counted from 1.
    public var epoch: Int
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    /// Mean cross-entropy and accuracy over the epoch's training batches (as they were augmented).
    public var trainLoss: Double, trainAccuracy: Double
    /// Mean cross-entropy and accuracy on the held-out images after the epoch.
    public var validationLoss: Double, validationAccuracy: Double
    /// Wall time of the epoch's training and validation.
    public var seconds: Double
    /// Training images a second.
    public var imagesPerSecond: Double
    /// Whether this epoch gave the best validation accuracy so far (and `best.safetensors`).
    public var best: Bool
    /// What the `validation_*` figures were measured on (`TrainingData/heldOutName`):
    /// `validation`, or `test` for Fashion-MNIST's test set (`held_out` in JSON; records of
    /// older runs, which lack it, read as `validation`).
    public var heldOut: String

    /// A record with every figure given.
    public init(epoch: Int, learningRate: Double, trainLoss: Double, trainAccuracy: Double, validationLoss: Double,
                validationAccuracy: Double, seconds: Double, imagesPerSecond: Double, best: Bool, heldOut: String = "validation") {
        self.epoch = epoch; self.learningRate = learningRate; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy; self.seconds = seconds
        self.imagesPerSecond = imagesPerSecond; self.best = best; self.heldOut = heldOut
    }

    enum CodingKeys: String, CodingKey {
        case epoch, learningRate, trainLoss, trainAccuracy, validationLoss, validationAccuracy, seconds, imagesPerSecond, best, heldOut
    }

    /// Decodes a `log.jsonl` line (older lines without `held_out` included).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        trainLoss = try c.decode(Double.self, forKey: .trainLoss)
        trainAccuracy = try c.decode(Double.self, forKey: .trainAccuracy)
        validationLoss = try c.decode(Double.self, forKey: .validationLoss)
        validationAccuracy = try c.decode(Double.self, forKey: .validationAccuracy)
        seconds = try c.decode(Double.self, forKey: .seconds)
        imagesPerSecond = try c.decode(Double.self, forKey: .imagesPerSecond)
        best = try c.decode(Bool.self, forKey: .best)
        heldOut = try c.decodeIfPresent(String.self, forKey: .heldOut) ?? "validation"
    }
}

/// What the trainer reports while it runs.
public enum TrainerEvent {
    /// The run continued after `completedEpochs` saved epochs.
    case resumed(completedEpochs: Int)
    /// A training batch finished; `running` sums the epoch so far.
    case batch(epoch: Int, index: Int, of: Int, running: EpochSummary)
    /// The validation pass after an epoch's training: examples done so far.
    case validating(epoch: Int, examples: Int)
    /// An epoch finished and was committed to the run folder.
    case epoch(EpochRecord)
}

/// Why a run folder cannot be used.
public struct TrainerError: Error, CustomStringConvertible, Equatable {
    /// What is wrong with the folder, naming it.
    public let reason: String
    /// The reason.
    public var description: String { reason }
}

/// The epoch loop of mission 1-2: train, validate, keep the best checkpoint, log, resume.
///
/// The run folder holds `last.safetensors` + `last.optimizer.safetensors` (after every epoch),
/// `best.safetensors` (whenever validation accuracy improves), `trainer_state.json` and
/// `log.jsonl` — and, for a run that keeps a weight average
/// (``TrainingConfiguration/averageDecay``), `ema.safetensors`: the average is what each epoch
/// evaluates and what `best.safetensors` holds, while `last.safetensors` keeps the trained
/// weights to resume from. Resuming loads the last model and optimiser state and continues with the next
/// epoch; since every epoch's batches depend only on (seed, epoch), the result is
/// bit-identical to an uninterrupted run. A NaN or infinite loss stops the run with
/// ``TrainingError/nonFiniteLoss(epoch:batch:value:)`` and leaves the last good files.
///
/// Crash safety: an epoch's files are first written whole as `*.next.safetensors`; renaming
/// `trainer_state.json` into place is the one step that commits the epoch; the `.next` files
/// are then renamed over the old ones. A run killed at any instant resumes from the last
/// committed epoch: `.next` files of a committed epoch are rolled forward, those of an
/// uncommitted one discarded, temporaries of a killed write removed. A folder with a run's
/// files but no readable state is refused, never overwritten.
public final class Trainer {
    /// The model trained in place.
    public let model: ResNet18
    /// How it is trained. A run whose steps are not plain (``parallel``) records its batch-norm
    /// group in ``TrainingConfiguration/data`` (`bn_group_size`) when it starts, so that a
    /// resume computes what the run computed: the same group size whether on N processes or on
    /// one with `--bn-group-size`.
    public private(set) var configuration: TrainingConfiguration
    /// Written into every checkpoint (epoch and metric filled in).
    public let metadata: CheckpointMetadata
    /// The run folder.
    public let directory: URL
    /// True labels and predictions of the last validation pass of ``run(data:resume:epochLimit:events:)``
    /// (nil until an epoch has run in this process).
    public private(set) var lastValidation: (truth: [Int], predictions: [Int])?
    /// The three most probable classes of each validation example in that pass (nil until an
    /// epoch has run in this process).
    public private(set) var lastValidationTop: [[(label: Int, probability: Float)]]?

    struct State: Codable {
        var completedEpochs: Int
        var bestAccuracy: Double
        var bestEpoch: Int
        var configuration: TrainingConfiguration
        var records: [EpochRecord]
    }

    /// A trainer of `model` writing its run into `directory`.
    public init(model: ResNet18, configuration: TrainingConfiguration, metadata: CheckpointMetadata, directory: URL) {
        self.model = model; self.configuration = configuration; self.metadata = metadata; self.directory = directory
    }

    var stateURL: URL { directory.appendingPathComponent("trainer_state.json") }
    /// `last.safetensors`: the model after the last committed epoch.
    public var lastCheckpoint: URL { directory.appendingPathComponent("last.safetensors") }
    /// `best.safetensors`: the model of the best validation accuracy so far.
    public var bestCheckpoint: URL { directory.appendingPathComponent("best.safetensors") }
    var optimizerURL: URL { directory.appendingPathComponent("last.optimizer.safetensors") }
    /// `ema.safetensors`: the weight average after the last committed epoch (with ``TrainingConfiguration/averageDecay``).
    public var averageCheckpoint: URL { directory.appendingPathComponent("ema.safetensors") }
    /// The weight average of a run with ``TrainingConfiguration/averageDecay`` (nil before ``run(data:resume:epochLimit:events:)`` or without one).
    public private(set) var average: ExponentialMovingAverage?
    /// The epoch's files before the commit.
    static func pending(_ url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("next").appendingPathExtension("safetensors")
    }
    /// How each step computes its batch: over the processes of a data-parallel job, and in
    /// batch-norm groups (``DataParallel``); one process, plain steps by default. Only rank 0
    /// touches the folder; every process returns the same records.
    public var parallel = DataParallel()
    /// Test hook: throws after `step` steps of epoch `epoch`'s save (1-based; simulates a kill there).
    var failAfterSaveStep: (epoch: Int, step: Int)?

    /// `log.jsonl`: one JSON record per finished epoch.
    func writeLog(_ records: [EpochRecord]) throws {
        let encoder = JSONStyle.encoder(pretty: false)
        let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(lines.utf8), to: directory.appendingPathComponent("log.jsonl"))
    }

    /// Clears temporaries, then rolls the pending files of a committed epoch forward (and
    /// discards those of an uncommitted one).
    func recover(committed state: State) throws {
        AtomicFile.removeLeftovers(in: directory)
        func epoch(of url: URL) -> Int? {
            (try? Safetensors.read(contentsOf: url)).flatMap { $0.metadata["epoch"].flatMap(Int.init) }
        }
        for (final, committedEpoch) in [(lastCheckpoint, state.completedEpochs), (optimizerURL, state.completedEpochs),
                                         (bestCheckpoint, state.bestEpoch), (averageCheckpoint, state.completedEpochs)] {
            let next = Self.pending(final)
            guard FileManager.default.fileExists(atPath: next.path) else { continue }
            if epoch(of: next) == committedEpoch {
                guard rename(next.path, final.path) == 0 else {
                    throw TrainerError(reason: "\(next.path): cannot move into place (\(String(cString: strerror(errno))))")
                }
            } else {
                try FileManager.default.removeItem(at: next)
            }
        }
        if state.completedEpochs > 0, epoch(of: lastCheckpoint) != state.completedEpochs {
            throw TrainerError(reason: "\(lastCheckpoint.path) is not epoch \(state.completedEpochs)'s as \(stateURL.lastPathComponent) says; the run cannot be resumed (--restart starts over)")
        }
    }

    /// The optimiser, over two parameter groups when the vectors have settings of their own.
    func makeOptimizer() -> any StatefulOptimizer {
        let lr = Float(configuration.learningRate)
        let groups = configuration.vectorWeightDecay == nil && configuration.vectorLearningRateScale == 1
            ? [ParameterGroup(model.parameters)]
            : ParameterGroup.byDimension(model.parameters, vectors: .init(weightDecay: configuration.vectorWeightDecay.map(Float.init),
                                                                          learningRateScale: Float(configuration.vectorLearningRateScale)))
        let base: any StatefulOptimizer
        switch configuration.optimizer {
        case .adam(let wd): base = Adam(groups: groups, learningRate: lr, weightDecay: Float(wd))
        case .sgd(let m, let wd, let n): base = SGD(groups: groups, learningRate: lr, momentum: Float(m), weightDecay: Float(wd), nesterov: n)
        }
        return configuration.lookahead.map { Lookahead(base, steps: $0.steps, alpha: Float($0.alpha)) } ?? base
    }

    /// The names of `optimizer`'s parameters, in its order (its groups').
    func names(of optimizer: any Optimizer) -> [String] {
        let byIdentity = Dictionary(uniqueKeysWithValues: model.namedParameters.map { (ObjectIdentifier($0.1), $0.0) })
        return optimizer.parameters.map { byIdentity[ObjectIdentifier($0)] ?? "?" }
    }

    /// Runs `body` with the model holding the weights that are evaluated and saved as
    /// `best.safetensors`: the weight average when the run keeps one, the weights otherwise.
    public func withEvaluatedWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let average else { return try body() }
        return try average.withAverage(in: model, body)
    }

    /// Creates and locks the run folder and refuses one that holds a run's files without its state.
    func openFolder() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FolderLock.acquire(directory)   // one run per folder (FolderLock.Busy names the other process)
        let runFiles = [lastCheckpoint, optimizerURL, bestCheckpoint, averageCheckpoint, directory.appendingPathComponent("log.jsonl")]
        if !FileManager.default.fileExists(atPath: stateURL.path) {
            AtomicFile.removeLeftovers(in: directory)
            for url in runFiles + runFiles.prefix(4).map(Self.pending) where FileManager.default.fileExists(atPath: url.path) {
                // Epoch 1 killed before its commit leaves only pending files: nothing to keep.
                if url.lastPathComponent.contains(".next.") { try FileManager.default.removeItem(at: url); continue }
                throw TrainerError(reason: "\(directory.path) holds \(url.lastPathComponent) but no \(stateURL.lastPathComponent): not a resumable run; use another folder or --restart")
            }
        }
    }

    /// The saved run's state, with the model and `optimizer` loaded from its last epoch.
    func resumeState(optimizer: any StatefulOptimizer, names: [String], batchCount: Int) throws -> State {
        let saved: State
        do { saved = try JSONStyle.decoder().decode(State.self, from: try ReadableFile.read(stateURL, limit: ReadableFile.Limit.json, what: "a trainer state")) } catch {
            throw TrainerError(reason: "\(stateURL.path): unreadable trainer state (\(error)); use another folder or --restart")
        }
        let differences = configuration.differences(from: saved.configuration, completedEpochs: saved.completedEpochs)
        guard differences.isEmpty else {
            throw TrainerError(reason: "\(directory.path) holds a run with another configuration (\(differences.joined(separator: "; "))); "
                               + "use another folder, the same settings, or --restart to start over")
        }
        try recover(committed: saved)
        try writeLog(saved.records)   // a kill after the commit may have left the previous epoch's log
        let (last, _) = try Checkpoint.load(contentsOf: lastCheckpoint)
        try model.load(last.stateDictionary())
        try optimizer.load(Safetensors.read(contentsOf: optimizerURL), names: names)
        if let average, saved.completedEpochs > 0 {
            let (averaged, _) = try Checkpoint.load(contentsOf: averageCheckpoint)
            try average.restore(averaged.stateDictionary(), updates: saved.completedEpochs * batchCount)
        }
        var state = saved
        state.configuration = configuration   // the same but for a raised --epochs
        return state
    }

    /// Runs `work` on rank 0 and gives its bytes to every process — or its error: rank 0
    /// throws it as it was, the others a ``TrainerError`` with its text, so no process waits
    /// for one that gave up.
    func rootDecides(_ work: () throws -> Data) throws -> Data {
        let world = parallel.communicator
        guard world.size > 1 else { return try work() }
        var payload = Data(), failure: Error?
        if world.isRoot { do { payload = try work() } catch { failure = error } }
        let verdict = try world.broadcast(Data((failure.map { "\($0)" } ?? "").utf8))
        if let failure { throw failure }
        if !verdict.isEmpty { throw TrainerError(reason: "rank 0: " + String(decoding: verdict, as: UTF8.self)) }
        return try world.broadcast(payload)
    }

    /// Blobs with their lengths in front (UInt64, little-endian).
    static func pack(_ parts: [Data]) -> Data {
        var out = Data()
        for part in parts {
            var n = UInt64(part.count).littleEndian
            out += Data(bytes: &n, count: 8) + part
        }
        return out
    }

    /// The blobs ``pack(_:)`` wrote.
    static func unpack(_ data: Data) throws -> [Data] {
        var parts: [Data] = [], at = data.startIndex
        while at < data.endIndex {
            guard data.endIndex - at >= 8 else { throw TrainerError(reason: "rank 0's resumed state arrived damaged") }
            let n = Int(data[at..<(at + 8)].withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
            at += 8
            guard n >= 0, data.endIndex - at >= n else { throw TrainerError(reason: "rank 0's resumed state arrived damaged") }
            parts.append(data[at..<(at + n)]); at += n
        }
        guard parts.count == 3 || parts.count == 4 else { throw TrainerError(reason: "rank 0's resumed state arrived damaged") }
        return parts
    }

    /// Runs (or resumes, when `resume` and the folder holds a run of the same configuration)
    /// up to `configuration.epochs` epochs — or only `epochLimit` more of them this time (a
    /// run split over sessions). Returns every epoch's record so far.
    @discardableResult
    public func run(data: some TrainingData, resume: Bool = true, epochLimit: Int? = nil,
                    events reportAll: (TrainerEvent) -> Void = { _ in }) throws -> [EpochRecord] {
        let world = parallel.communicator
        func events(_ event: TrainerEvent) { if world.isRoot { reportAll(event) } }   // rank 0 reports
        if let why = parallel.problem(batchSize: data.trainingBatchSize) { throw TrainerError(reason: why) }
        if !parallel.isPlain {
            configuration.data = (configuration.data ?? [:]).merging(["bn_group_size": String(parallel.group(batchSize: data.trainingBatchSize))]) { $1 }
        }
        // Every process must train the same run on the same data, or none does.
        try world.requireAgreement(String(decoding: try JSONStyle.encoder(pretty: false).encode(configuration), as: UTF8.self)
                                   + " bn-group-size \(parallel.groupSize.map(String.init) ?? "none")", on: "the run's settings")
        try world.requireAgreement(data.fingerprint, on: "the training data (each process read its own copy)")
        let optimizer = makeOptimizer()
        let names = names(of: optimizer)
        average = configuration.averageDecay.map { ExponentialMovingAverage(model, decay: Float($0)) }
        let batchCount = data.trainingBatchCount
        var state = State(completedEpochs: 0, bestAccuracy: -1, bestEpoch: -1, configuration: configuration, records: [])
        // Rank 0 owns the folder: it locks it, checks it and resumes from it; the others get
        // the resumed state, weights and optimiser state from it (they may be other machines).
        var resumed = false
        let opening = try rootDecides {
            try openFolder()
            guard resume, FileManager.default.fileExists(atPath: stateURL.path) else { return Data() }
            state = try resumeState(optimizer: optimizer, names: names, batchCount: batchCount)
            resumed = true
            guard world.size > 1 else { return Data() }
            return Self.pack([try JSONStyle.encoder(pretty: false).encode(state),
                              try Safetensors.encode(.init(state: model.stateDictionary())),
                              try Safetensors.encode(optimizer.state(names: names))]
                             + (try average.map { [try Safetensors.encode(.init(state: $0.stateDictionary()))] } ?? []))
        }
        if !world.isRoot, !opening.isEmpty {
            let parts = try Self.unpack(opening)
            state = try JSONStyle.decoder().decode(State.self, from: parts[0])
            try model.load(Safetensors.decode(parts[1], path: "rank 0's weights").state)
            try optimizer.load(Safetensors.decode(parts[2], path: "rank 0's optimiser state"), names: names)
            if let average, state.completedEpochs > 0 {
                guard parts.count == 4 else { throw TrainerError(reason: "rank 0's resumed state arrived without its weight average") }
                try average.restore(Safetensors.decode(parts[3], path: "rank 0's weight average").state, updates: state.completedEpochs * batchCount)
            }
            state.configuration = configuration
            resumed = true
        }
        if resumed { events(.resumed(completedEpochs: state.completedEpochs)) }
        try parallel.requireSameWeights(model, when: resumed ? "after resuming at epoch \(state.completedEpochs)" : "at the start")
        let end = min(configuration.epochs, state.completedEpochs + (epochLimit ?? configuration.epochs))
        for epoch in state.completedEpochs..<max(state.completedEpochs, end) {
            let lr = configuration.schedule.rate(base: configuration.learningRate, epoch: epoch, batch: 0, of: batchCount)
            optimizer.learningRate = Float(lr)
            let schedule = configuration.schedule, base = configuration.learningRate
            let perBatch: ((Int) -> Float)? = schedule.perBatch
                ? { Float(schedule.rate(base: base, epoch: epoch, batch: $0, of: batchCount)) } : nil
            // Mixed precision as PyTorch's autocast: the convolutions and linear layers in
            // configuration.precision, everything else (and the weights) FP32.
            let fit = try withAutocast(configuration.precision) {
                try ClassifierEpoch.train(model, optimizer: optimizer, epoch: epoch, labelSmoothing: Float(configuration.labelSmoothing),
                                          batches: data.trainingBatches(epoch: epoch, shard: parallel.trainingShard), learningRate: perBatch,
                                          parallel: parallel, batchSize: data.trainingBatchSize) { i, running in
                    average?.update(from: model)   // after each step
                    events(.batch(epoch: epoch, index: i, of: batchCount, running: running))
                }
            }
            try parallel.requireSameWeights(model, when: "after epoch \(epoch + 1)")
            let flip = configuration.testTimeFlip, shifts = configuration.testTimeShifts
            let (validation, truth, predictions, top) = try withAutocast(configuration.precision) {
                try withEvaluatedWeights {
                    try parallel.evaluate(model, data: data, flip: flip, shifts: shifts) { events(.validating(epoch: epoch, examples: $0)) }
                }
            }
            if world.isRoot {
                lastValidation = (truth, predictions)
                lastValidationTop = top
            }
            guard validation.loss.isFinite, fit.loss.isFinite else {
                throw TrainingError.nonFiniteValidation(epoch: epoch, value: validation.loss)
            }
            let improved = validation.accuracy > state.bestAccuracy
            let record = EpochRecord(epoch: epoch + 1, learningRate: lr, trainLoss: fit.loss, trainAccuracy: fit.accuracy,
                                     validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                                     seconds: fit.seconds + validation.seconds, imagesPerSecond: fit.imagesPerSecond, best: improved,
                                     heldOut: data.heldOutName)
            if improved {
                state.bestAccuracy = validation.accuracy
                state.bestEpoch = epoch + 1
            }
            state.completedEpochs = epoch + 1
            state.records.append(record)
            guard world.isRoot else {
                try world.barrier()   // rank 0 commits the epoch
                continue
            }
            var meta = metadata
            meta.epoch = epoch + 1
            meta.metric = validation.accuracy
            // Save: pending files whole, then the state (the commit), then the renames.
            var step = 0
            func stepDone() throws {
                step += 1
                if let k = failAfterSaveStep, k.epoch == epoch + 1, step >= k.step {
                    throw TrainerError(reason: "simulated crash after save step \(step)")
                }
            }
            if improved {
                try withEvaluatedWeights { try Checkpoint.save(model, metadata: meta, to: Self.pending(bestCheckpoint)) }; try stepDone()
            }
            try Checkpoint.save(model, metadata: meta, to: Self.pending(lastCheckpoint)); try stepDone()
            if let average {
                try average.withAverage(in: model) { try Checkpoint.save(model, metadata: meta, to: Self.pending(averageCheckpoint)) }
                try stepDone()
            }
            var optimizerState = optimizer.state(names: names)
            optimizerState.metadata["epoch"] = String(epoch + 1)
            try Safetensors.write(optimizerState, to: Self.pending(optimizerURL)); try stepDone()
            try AtomicFile.write(try JSONStyle.encoder(pretty: false).encode(state), to: stateURL); try stepDone()
            for final in (improved ? [bestCheckpoint] : []) + [lastCheckpoint, optimizerURL] + (average != nil ? [averageCheckpoint] : []) {
                guard rename(Self.pending(final).path, final.path) == 0 else {
                    throw TrainerError(reason: "\(final.path): cannot move the new epoch's file into place (\(String(cString: strerror(errno))))")
                }
                try stepDone()
            }
            try writeLog(state.records); try stepDone()
            try world.barrier()
            events(.epoch(record))
        }
        return state.records
    }
}
