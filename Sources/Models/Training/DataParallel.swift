import Dataset
import Foundation
import Tensor

/// How each training step computes its batch: over the processes of a data-parallel job
/// (`Communicator`), and in batch-norm groups ("ghost" batch norm).
///
/// A job of N processes with whole batches of B images gives each process B/N consecutive
/// images of every batch (`BatchShard`). Each process runs forward and backward on its share
/// in groups of ``groupSize`` images — batch norm's training statistics are those of one group
/// — with each group's mean loss weighted by its share of the batch; the gradients, the
/// groups' running statistics, losses and hit counts then go through one sum in rank order
/// (`Communicator/reduceSumInRankOrder(_:contributors:)`), the running statistics are
/// averaged over the groups, and every process takes the same optimiser step.
///
/// One process with `groupSize` b computes the same thing as N processes with b = B/N
/// images each, in the same order: the groups' gradients accumulate one after the other,
/// as the rank-ordered sum adds them. So `mpirun -np 2 … --batch-size 64` and one process
/// with `--batch-size 64 --bn-group-size 32` give the same weights, bit for bit, for any N.
/// (With several groups per process the sums are grouped per process and may differ in the
/// last bits.)
///
/// Without groups and with one process (``isPlain``) the trainer keeps its plain step.
public final class DataParallel {
    /// The processes of the job (`SingleProcess` for one).
    public let communicator: Communicator
    /// Images whose batch-norm statistics are computed together (nil: a process's whole share).
    public let groupSize: Int?
    /// Steps between the comparisons of every process's weights (and at each epoch's end).
    public var agreementInterval = 50
    /// The sum's buffer, kept between steps.
    private var buffer: [Float] = []

    /// Steps over `communicator`'s processes in groups of `groupSize` images.
    public init(communicator: Communicator = SingleProcess(), groupSize: Int? = nil) {
        self.communicator = communicator; self.groupSize = groupSize
    }

    /// One process, no groups: the trainer's plain step.
    public var isPlain: Bool { communicator.size == 1 && groupSize == nil }

    /// This process's share of the training batches.
    public var trainingShard: BatchShard {
        BatchShard(rank: communicator.rank, count: communicator.size, split: .withinBatches)
    }

    /// This process's validation batches (every N-th whole batch).
    public var validationShard: BatchShard {
        BatchShard(rank: communicator.rank, count: communicator.size, split: .wholeBatches)
    }

    /// Why batches of `batchSize` cannot be divided as asked (nil when they can): the batch
    /// must split into equal shares, and a share into whole groups.
    public func problem(batchSize: Int) -> String? {
        let n = communicator.size
        if let groupSize, groupSize < 1 { return "--bn-group-size must be 1 or more" }
        guard batchSize % n == 0 else {
            return "a batch of \(batchSize) does not split into \(n) equal shares (one per process); use a multiple of \(n)"
        }
        let share = batchSize / n
        if n > 1, let groupSize, share % groupSize != 0 {
            return "a share of \(share) images (batch \(batchSize) over \(n) processes) does not split into groups of \(groupSize) (--bn-group-size)"
        }
        return nil
    }

    /// Images a group over a whole batch of `batchSize`.
    func group(batchSize: Int) -> Int { groupSize ?? batchSize / communicator.size }

    /// The step's figures, the same on every process.
    struct StepFigures {
        /// Σ over groups of loss × images, in group order; hits; images.
        var lossTotal: Double, correct: Int, seen: Int
    }

    /// One training step on this process's `share` of a whole batch of `batchSize` (fewer in
    /// the epoch's last batch): forward and backward per group, the sum over processes, the
    /// checks, and the optimiser's step.
    func step(_ model: some Layer, optimizer: some Optimizer, share: LabelledBatch, batchSize: Int, labelSmoothing: Float,
              epoch: Int, index: Int) throws -> StepFigures {
        let g = group(batchSize: batchSize), whole = share.wholeCount
        let slots = (batchSize + g - 1) / g, groups = (whole + g - 1) / g
        let perProcess = batchSize / communicator.size
        let contributors = (whole + perProcess - 1) / perProcess
        let parameters = model.parameters
        let norms = model.namedModules.compactMap { $0.1 as? BatchNormalization }
        let saved = norms.map { ($0.runningMean.value, $0.runningVariance.value, $0.batchesTracked.value) }
        let parameterCount = parameters.reduce(0) { $0 + $1.value.count }
        let statisticCount = norms.reduce(0) { $0 + 2 * $1.runningMean.value.count }
        let length = parameterCount + statisticCount + 2 * slots
        if buffer.count != length { buffer = [Float](repeating: 0, count: length) } else {
            buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        optimizer.zeroGrad()
        model.train()
        var first = true
        for part in share.count > 0 ? share.groups(of: g) : [] {
            if !first { for (norm, s) in zip(norms, saved) { norm.runningMean.value = s.0; norm.runningVariance.value = s.1 } }
            let logits = model(part.images)
            let loss = softmaxCrossEntropy(logits: logits, targets: part.labels, labelSmoothing: labelSmoothing)
            loss.backward(Tensor(shape: loss.shape, scalars: [Float(part.count) / Float(whole)]))
            let j = part.offsetInWhole / g
            buffer[parameterCount + statisticCount + j] = loss.scalar
            buffer[parameterCount + statisticCount + slots + j] = Float(zip(ClassifierEpoch.argmaxRows(logits), part.labels).filter { $0 == $1 }.count)
            buffer.withUnsafeMutableBufferPointer { out in
                var offset = parameterCount
                for norm in norms {
                    for t in [norm.runningMean.value, norm.runningVariance.value] {
                        t.withUnsafeBufferPointer { v in
                            for i in 0..<v.count { out[offset + i] = first ? v[i] : out[offset + i] + v[i] }
                        }
                        offset += t.count
                    }
                }
            }
            first = false
        }
        // This process's gradients (the groups' already summed in order by backward).
        buffer.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for p in parameters {
                if let grad = p.grad { grad.withUnsafeBufferPointer { g in _ = UnsafeMutableBufferPointer(rebasing: out[offset..<(offset + g.count)]).update(fromContentsOf: g) } }
                offset += p.value.count
            }
        }
        try communicator.reduceSumInRankOrder(&buffer, contributors: contributors)
        let losses = buffer[(parameterCount + statisticCount)..<(parameterCount + statisticCount + groups)]
        if let bad = losses.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError.nonFiniteLoss(epoch: epoch, batch: index, value: buffer[bad])
        }
        buffer.withUnsafeBufferPointer { sum in
            var offset = 0
            for p in parameters {
                let n = p.value.count
                p.setGradient(Tensor(shape: p.shape, scalars: Array(sum[offset..<(offset + n)])))
                offset += n
            }
            for (norm, s) in zip(norms, saved) {
                for statistic in [norm.runningMean, norm.runningVariance] {
                    let n = statistic.value.count
                    statistic.value = Tensor(shape: statistic.value.shape, scalars: sum[offset..<(offset + n)].map { $0 / Float(groups) })
                    offset += n
                }
                norm.batchesTracked.value = Tensor(s.2.scalar + 1)
            }
        }
        optimizer.step()
        var total = 0.0, correct = 0
        for j in 0..<groups {
            let images = min(g, whole - j * g)
            total += Double(buffer[parameterCount + statisticCount + j]) * Double(images)
            correct += Int(buffer[parameterCount + statisticCount + slots + j])
        }
        return StepFigures(lossTotal: total, correct: correct, seen: whole)
    }

    /// The validation pass shared by the processes: each evaluates every N-th whole batch,
    /// rank 0 gathers the batches' outcomes and combines them in the one-process order (so its
    /// figures are the one process's, bit for bit), and every process gets the summary. The
    /// truths, predictions and top classes are rank 0's only (empty elsewhere).
    func evaluate(_ model: some Layer, data: some TrainingData, flip: Bool = false, shifts: Bool = false, progress: (Int) -> Void = { _ in }) throws
        -> (summary: EpochSummary, truth: [Int], predictions: [Int], top: [[(label: Int, probability: Float)]]) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let n = communicator.size
        guard n > 1 else {
            return ClassifierEpoch.combine(ClassifierEpoch.evaluateEach(model, batches: data.validationBatches(), k: 3, flip: flip, shifts: shifts, progress: progress), since: t0)
        }
        let mine = ClassifierEpoch.evaluateEach(model, batches: data.validationBatches(shard: validationShard), k: 3, flip: flip, shifts: shifts, progress: progress)
        var result: (summary: EpochSummary, truth: [Int], predictions: [Int], top: [[(label: Int, probability: Float)]])
            = (EpochSummary(loss: 0, accuracy: 0, examples: 0, seconds: 0), [], [], [])
        var figures = [UInt64](repeating: 0, count: 3)
        if let all = try communicator.gather(Self.encode(mine), root: 0) {
            let decoded = try all.map(Self.decode)
            let count = decoded.reduce(0) { $0 + $1.count }
            let merged = (0..<count).map { k in decoded[k % n][k / n] }
            result = ClassifierEpoch.combine(merged, since: t0)
            figures = [result.summary.loss.bitPattern, result.summary.accuracy.bitPattern, UInt64(result.summary.examples)]
        }
        try figures.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        if !communicator.isRoot {
            result.summary = EpochSummary(loss: Double(bitPattern: figures[0]), accuracy: Double(bitPattern: figures[1]),
                                          examples: Int(figures[2]), seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return result
    }

    /// Batches' outcomes as 32-bit words: per batch its size, loss bits and k, the truths and
    /// predictions, then each row's k labels and probability bits.
    static func encode(_ outcomes: [ClassifierEpoch.BatchOutcome]) -> Data {
        var words: [UInt32] = [UInt32(outcomes.count)]
        for o in outcomes {
            let k = o.top.first?.count ?? 0
            words += [UInt32(o.truth.count), o.loss.bitPattern, UInt32(k)]
            words += o.truth.map { UInt32($0) } + o.predictions.map { UInt32($0) }
            for row in o.top { words += row.map { UInt32($0.label) } + row.map { $0.probability.bitPattern } }
        }
        return words.withUnsafeBytes { Data($0) }
    }

    /// The outcomes ``encode(_:)`` wrote; a short or inconsistent blob is an error.
    static func decode(_ data: Data) throws -> [ClassifierEpoch.BatchOutcome] {
        let words: [UInt32] = data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
        var at = 0
        func next(_ count: Int) throws -> ArraySlice<UInt32> {
            guard count >= 0, at + count <= words.count else {
                throw CommunicatorError(operation: "the validation gather", reason: "a process sent \(data.count) bytes that do not decode")
            }
            defer { at += count }
            return words[at..<(at + count)]
        }
        let batches = Int(try next(1).first ?? 0)
        return try (0..<batches).map { _ in
            let head = Array(try next(3))
            let size = Int(head[0]), k = Int(head[2])
            let truth = try next(size).map { Int($0) }, predictions = try next(size).map { Int($0) }
            let top = try (0..<size).map { _ in
                let labels = Array(try next(k)), probabilities = Array(try next(k))
                return (0..<k).map { ClassifierEpoch.BatchOutcome.Ranked(label: Int(labels[$0]), probability: Float(bitPattern: probabilities[$0])) }
            }
            return ClassifierEpoch.BatchOutcome(loss: Float(bitPattern: head[1]), truth: truth, predictions: predictions, top: top)
        }
    }

    /// Stops every process, naming `when`, unless all hold the same weights and statistics.
    func requireSameWeights(_ model: some Layer, when: String) throws {
        guard communicator.size > 1 else { return }
        var f = Fingerprint()
        for entry in model.stateDictionary() { entry.tensor.withUnsafeBufferPointer { f.combine(floats: $0) } }
        try communicator.requireAgreement(f.description, on: "the weights \(when) (a process computed differently: different CPU kernels, thread counts or library builds?)")
    }
}

extension Evaluation {
    /// Rank 0's `evaluation` on every process of `communicator` (pass it on rank 0, nil elsewhere).
    static func shared(_ evaluation: Evaluation? = nil, by communicator: Communicator) throws -> Evaluation {
        let bytes = try communicator.broadcast(communicator.isRoot ? try JSONEncoder().encode(evaluation) : Data())
        return try JSONDecoder().decode(Evaluation.self, from: bytes)
    }
}
