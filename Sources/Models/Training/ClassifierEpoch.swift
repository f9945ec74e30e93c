import Dispatch
import Dataset
import Tensor
import Vision

/// Why a training step could not go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite at the given epoch and batch.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float)
    /// Training went through but validation gave a NaN or infinite loss (diverged weights).
    case nonFiniteValidation(epoch: Int, value: Double)
    /// A model trained on extracted features (the few-shot VAE or classifier) reached a NaN or
    /// infinite loss; `largestFeature` is the largest feature magnitude it was given.
    case nonFiniteOnFeatures(model: String, epoch: Int, batch: Int, value: Float, largestFeature: Float)

    /// The reason, with what to try.
    public var description: String {
        switch self {
        case .nonFiniteLoss(let e, let b, let v):
            return "training stopped: loss is \(v) at epoch \(e), batch \(b) (learning rate too high, or bad input data?)"
        case .nonFiniteValidation(let e, let v):
            return "training stopped: validation loss is \(v) after epoch \(e + 1) (weights diverged; learning rate too high?); the last good checkpoint is kept"
        case .nonFiniteOnFeatures(let model, let e, let b, let v, let largest):
            return "the \(model) stopped: loss is \(v) at epoch \(e), batch \(b); the backbone's features reach \(largest)"
                + (largest > 1e4 ? " — far beyond a trained backbone's (a backbone trained too briefly, or diverged? train it longer or lower its learning rate)"
                                 : " (lower the learning rate?)")
        }
    }
}

/// Figures of one pass over a data set.
public struct EpochSummary: Sendable, Codable, Equatable {
    /// Mean loss per example.
    public var loss: Double
    /// Fraction of examples classified correctly.
    public var accuracy: Double
    public var examples: Int
    public var seconds: Double
    public var imagesPerSecond: Double { seconds > 0 ? Double(examples) / seconds : 0 }
}

/// Softmax cross-entropy training and evaluation of an image classifier, one epoch at a time.
public enum ClassifierEpoch {
    /// Trains `model` on `batches` (produced lazily by `next`) with `optimizer`, stopping
    /// with ``TrainingError/nonFiniteLoss(epoch:batch:value:)`` before a NaN loss updates the weights.
    ///
    /// With a `parallel` that is not plain (several processes, or batch-norm groups), each
    /// batch is this process's share of a whole batch of `batchSize` images and the step is
    /// ``DataParallel``'s; the summary then counts the whole batches, the same on every process.
    public static func train(_ model: some Layer, optimizer: some Optimizer, epoch: Int = 0,
                             labelSmoothing: Float = 0, batches: some Sequence<LabelledBatch>,
                             learningRate: ((Int) -> Float)? = nil, parallel: DataParallel? = nil, batchSize: Int = 0,
                             progress: (Int, EpochSummary) -> Void = { _, _ in }) throws -> EpochSummary {
        model.train()
        var total = 0.0, correct = 0, seen = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        for (i, batch) in batches.enumerated() {
            if let learningRate { optimizer.learningRate = learningRate(i) }
            if let parallel, !parallel.isPlain {
                precondition(batchSize >= batch.wholeCount && batchSize > 0, "ClassifierEpoch.train: batch size \(batchSize) for a batch of \(batch.wholeCount)")
                let figures = try parallel.step(model, optimizer: optimizer, share: batch, batchSize: batchSize,
                                                labelSmoothing: labelSmoothing, epoch: epoch, index: i)
                total += figures.lossTotal; correct += figures.correct; seen += figures.seen
                if (i + 1) % parallel.agreementInterval == 0 { try parallel.requireSameWeights(model, when: "after epoch \(epoch + 1)'s step \(i + 1)") }
                progress(i, summary(total, correct, seen, t0))
                continue
            }
            optimizer.zeroGrad()
            let logits = model(batch.images)
            let loss = softmaxCrossEntropy(logits: logits, targets: batch.labels, labelSmoothing: labelSmoothing)
            let value = loss.scalar
            guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: i, value: value) }
            loss.backward()
            optimizer.step()
            total += Double(value) * Double(batch.labels.count)
            correct += zip(argmaxRows(logits), batch.labels).filter { $0 == $1 }.count
            seen += batch.labels.count
            progress(i, summary(total, correct, seen, t0))
        }
        return summary(total, correct, seen, t0)
    }

    /// Loss and accuracy of `model` in evaluation mode, without recording gradients.
    public static func evaluate(_ model: some Layer, batches: some Sequence<LabelledBatch>) -> EpochSummary {
        evaluateAndPredict(model, batches: batches).summary
    }

    /// ``evaluate(_:batches:)`` and, from the same pass, every example's true label, predicted
    /// class and `k` most probable classes (``topK(logits:k:)``); `flip` averages in the mirror
    /// images' logits and `shifts` those of the shifted images (``logits(_:_:flip:shifts:)``). `progress(examples)` is
    /// called after each batch with the examples seen so far.
    public static func evaluateAndPredict(_ model: some Layer, batches: some Sequence<LabelledBatch>, k: Int = 3, flip: Bool = false,
                                          shifts: Bool = false, progress: (Int) -> Void = { _ in })
        -> (summary: EpochSummary, truth: [Int], predictions: [Int], top: [[(label: Int, probability: Float)]]) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        return combine(evaluateEach(model, batches: batches, k: k, flip: flip, shifts: shifts, progress: progress), since: t0)
    }

    /// What one evaluation batch gave: its mean loss, truths, predictions and top classes.
    struct BatchOutcome: Equatable {
        var loss: Float
        var truth: [Int], predictions: [Int]
        var top: [[Ranked]]
        struct Ranked: Equatable { var label: Int, probability: Float }
    }

    /// The logits of `images` — with `flip`, the mean of those of the images and of their
    /// mirror images (horizontal-flip test-time augmentation, as in Page's and Jordan's fast
    /// CIFAR-10 training); with `shifts` as well, Jordan's airbench `tta_level=2`: half those
    /// logits, plus a quarter each of the same for the images shifted one pixel down and right
    /// and one pixel up and left (``shifted(_:down:right:)``, reflect padding). Call without a
    /// gradient tape.
    public static func logits(_ model: some Layer, _ images: Tensor, flip: Bool, shifts: Bool = false) -> Tensor {
        func views(_ x: Tensor) -> Tensor {
            let plain = model(x)
            guard flip else { return plain }
            return (plain + model(horizontallyFlipped(x))) * 0.5
        }
        let centred = views(images)
        guard shifts else { return centred }
        // airbench: 0.5 * logits + 0.5 * stack([down-right, up-left]).mean(0)
        let moved = (views(shifted(images, down: 1, right: 1)) + views(shifted(images, down: -1, right: -1))) * 0.5
        return centred * 0.5 + moved * 0.5
    }

    /// N×C×H×W images moved `down` rows and `right` columns, the uncovered border filled by
    /// reflection (`F.pad(x, (1, 1, 1, 1), mode="reflect")` cropped at (0, 0) is `down: 1,
    /// right: 1`, at (2, 2) `down: -1, right: -1`); not recorded for gradients. A shift must be
    /// smaller than the side it moves along, as reflect padding needs.
    public static func shifted(_ images: Tensor, down: Int, right: Int) -> Tensor {
        precondition(images.rank == 4, "shifted: expected N×C×H×W, got \(images.shape)")
        let h = images.shape[2], w = images.shape[3], planes = images.count / max(h * w, 1)
        for (shift, n) in [(down, h), (right, w)] {
            if let why = PaddingMode.reflect.problem(pad: abs(shift), size: n) { preconditionFailure("shifted: \(why)") }
        }
        let rows = (0..<h).map { PaddingMode.reflect.source($0 - down, h) ?? 0 }
        let columns = (0..<w).map { PaddingMode.reflect.source($0 - right, w) ?? 0 }
        var out = [Float](repeating: 0, count: images.count)
        images.withUnsafeBufferPointer { x in
            for p in 0..<planes {
                for i in 0..<h {
                    let from = (p * h + rows[i]) * w, to = (p * h + i) * w
                    for j in 0..<w { out[to + j] = x[from + columns[j]] }
                }
            }
        }
        return Tensor(shape: images.shape, scalars: out)
    }

    /// N×C×H×W images mirrored left to right (`torch.flip(x, dims=[3])`), not recorded for gradients.
    public static func horizontallyFlipped(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4, "horizontallyFlipped: expected N×C×H×W, got \(images.shape)")
        let w = images.shape[3], rows = images.count / max(w, 1)
        var out = [Float](repeating: 0, count: images.count)
        images.withUnsafeBufferPointer { x in
            for r in 0..<rows { for j in 0..<w { out[r * w + j] = x[r * w + w - 1 - j] } }
        }
        return Tensor(shape: images.shape, scalars: out)
    }

    /// Each batch's outcome, in evaluation mode, without recording gradients (`flip`: with
    /// horizontal-flip test-time augmentation, `shifts`: with shifted images too, ``logits(_:_:flip:shifts:)``).
    static func evaluateEach(_ model: some Layer, batches: some Sequence<LabelledBatch>, k: Int, flip: Bool = false,
                             shifts: Bool = false, progress: (Int) -> Void = { _ in }) -> [BatchOutcome] {
        model.eval()
        defer { model.train() }
        var outcomes: [BatchOutcome] = [], seen = 0
        withNoGrad {
            for batch in batches {
                let logits = Self.logits(model, batch.images, flip: flip, shifts: shifts)
                outcomes.append(BatchOutcome(loss: softmaxCrossEntropy(logits: logits, targets: batch.labels).scalar,
                                             truth: batch.labels, predictions: argmaxRows(logits),
                                             top: topK(logits: logits, k: k).map { $0.map { .init(label: $0.label, probability: $0.probability) } }))
                seen += batch.labels.count
                progress(seen)
            }
        }
        return outcomes
    }

    /// The summary, truths, predictions and top classes of batches' outcomes, in their order.
    static func combine(_ outcomes: [BatchOutcome], since t0: UInt64)
        -> (summary: EpochSummary, truth: [Int], predictions: [Int], top: [[(label: Int, probability: Float)]]) {
        var total = 0.0, correct = 0, seen = 0
        var truth: [Int] = [], predictions: [Int] = [], top: [[(label: Int, probability: Float)]] = []
        for o in outcomes {
            total += Double(o.loss) * Double(o.truth.count)
            correct += zip(o.predictions, o.truth).filter { $0 == $1 }.count
            seen += o.truth.count
            predictions += o.predictions
            top += o.top.map { $0.map { (label: $0.label, probability: $0.probability) } }
            truth += o.truth
        }
        return (summary(total, correct, seen, t0), truth, predictions, top)
    }

    /// True labels and predicted classes of every example, in evaluation mode.
    public static func predict(_ model: some Layer, batches: some Sequence<LabelledBatch>) -> (truth: [Int], predictions: [Int]) {
        model.eval()
        defer { model.train() }
        var truth: [Int] = [], predictions: [Int] = []
        withNoGrad {
            for batch in batches {
                predictions += argmaxRows(model(batch.images))
                truth += batch.labels
            }
        }
        return (truth, predictions)
    }

    /// Each example's truth and its `k` most probable classes (softmax of the logits, or of
    /// their mean with the mirror images' with `flip` and the shifted images' with `shifts`,
    /// ``logits(_:_:flip:shifts:)``), most probable first; ties go to the lower class index, as ``argmaxRows(_:)``.
    public static func predictTopK(_ model: some Layer, batches: some Sequence<LabelledBatch>, k: Int, flip: Bool = false,
                                   shifts: Bool = false)
        -> (truth: [Int], top: [[(label: Int, probability: Float)]]) {
        model.eval()
        defer { model.train() }
        var truth: [Int] = [], top: [[(label: Int, probability: Float)]] = []
        withNoGrad {
            for batch in batches {
                top += topK(logits: logits(model, batch.images, flip: flip, shifts: shifts), k: k)
                truth += batch.labels
            }
        }
        return (truth, top)
    }

    /// The `k` most probable classes of each row of N×K logits (softmax), most probable first;
    /// ranked by the logits themselves (rounding cannot reorder them), ties to the lower index.
    public static func topK(logits: Tensor, k: Int) -> [[(label: Int, probability: Float)]] {
        precondition(logits.rank == 2, "topK: expected N×K logits, got \(logits.shape)")
        let p = softmax(logits), classes = p.shape[1]
        var top: [[(label: Int, probability: Float)]] = []
        logits.withUnsafeBufferPointer { z in
            p.withUnsafeBufferPointer { q in
                for i in 0..<p.shape[0] {
                    let order = (0..<classes).sorted { (z[i * classes + $0], -$0) > (z[i * classes + $1], -$1) }
                    top.append(order.prefix(k).map { (label: $0, probability: q[i * classes + $0]) })
                }
            }
        }
        return top
    }

    /// Index of the largest value in each row of an N×K tensor.
    public static func argmaxRows(_ logits: Tensor) -> [Int] {
        precondition(logits.rank == 2, "argmaxRows: expected N×K, got \(logits.shape)")
        let k = logits.shape[1]
        return logits.withUnsafeBufferPointer { p in
            (0..<logits.shape[0]).map { i in
                var best = 0
                for j in 1..<max(k, 1) where p[i * k + j] > p[i * k + best] { best = j }
                return best
            }
        }
    }

    static func summary(_ total: Double, _ correct: Int, _ seen: Int, _ t0: UInt64) -> EpochSummary {
        EpochSummary(loss: seen > 0 ? total / Double(seen) : 0, accuracy: seen > 0 ? Double(correct) / Double(seen) : 0,
                     examples: seen, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
}
