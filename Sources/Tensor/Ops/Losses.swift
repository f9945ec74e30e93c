#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax + cross-entropy in one numerically stable kernel, as
/// `torch.nn.functional.cross_entropy(logits, targets, weight:, label_smoothing:)` with
/// mean reduction.
///
/// With class weights w and smoothing ε over K classes, matching PyTorch:
/// loss = (1−ε)·Σₙ w_{yₙ}(−log pₙ,yₙ)/W + ε/K · Σₙ Σₖ wₖ(−log pₙₖ)/W, W = Σₙ w_{yₙ}
/// (W = N without weights).
///
/// - Parameters:
///   - logits: N×K.
///   - targets: N class indices in `0..<K`.
public func softmaxCrossEntropy(logits: Tensor, targets: [Int], classWeights: [Float]? = nil,
                                labelSmoothing: Float = 0) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == targets.count,
                 "softmaxCrossEntropy: logits \(logits.shape) do not match \(targets.count) targets")
    let n = logits.shape[0], k = logits.shape[1]
    precondition(targets.allSatisfy { $0 >= 0 && $0 < k }, "softmaxCrossEntropy: a target is outside 0..<\(k)")
    if let w = classWeights { precondition(w.count == k, "softmaxCrossEntropy: \(w.count) class weights for \(k) classes") }
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "softmaxCrossEntropy: label smoothing \(labelSmoothing) outside [0, 1]")
    let weights = classWeights ?? [Float](repeating: 1, count: k)
    let eps = labelSmoothing
    let probabilities = Tensor(uninitializedShape: [n, k])
    let z = logits.pointer, p0 = probabilities.pointer
    var total = 0.0, normaliser = 0.0
    let weightSum = weights.reduce(0, +)
    for i in 0..<n {
        let row = z + i * k, prow = p0 + i * k
        var mx = -Float.infinity
        for j in 0..<k { mx = max(mx, row[j]) }
        var s: Float = 0
        for j in 0..<k { let e = expf(row[j] - mx); prow[j] = e; s += e }
        let logS = logf(s)
        let inv = 1 / s
        var smooth: Float = 0
        for j in 0..<k {
            prow[j] *= inv
            if eps > 0 { smooth += weights[j] * -(row[j] - mx - logS) }
        }
        let t = targets[i]
        let nll = -(row[t] - mx - logS)
        total += Double((1 - eps) * weights[t] * nll + eps / Float(k) * smooth)
        normaliser += Double(weights[t])
    }
    var out = Tensor(Float(total / normaliser))
    let norm = Float(normaliser)
    Tensor.record("softmaxCrossEntropy", &out, inputs: [logits]) { g in
        let scale = g.scalar / norm
        let dz = Tensor(uninitializedShape: [n, k])
        let d = dz.pointer, p = probabilities.pointer
        for i in 0..<n {
            let t = targets[i], wt = weights[t]
            for j in 0..<k {
                let pj = p[i * k + j]
                var v = (1 - eps) * wt * (pj - (j == t ? 1 : 0))
                if eps > 0 { v += eps / Float(k) * (weightSum * pj - weights[j]) }
                d[i * k + j] = v * scale
            }
        }
        return [dz]
    }
    return out
}

/// Mean squared error, `F.mse_loss` (mean reduction).
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    precondition(prediction.shape == target.shape, "meanSquaredError: shapes \(prediction.shape) and \(target.shape) differ")
    let d = prediction - target.detached()
    return (d * d).mean()
}

/// Binary cross-entropy on probabilities, `F.binary_cross_entropy` (mean reduction; each
/// log clamped at −100 as PyTorch does, so 0 and 1 give finite losses).
public func binaryCrossEntropy(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    precondition(prediction.shape == target.shape, "binaryCrossEntropy: shapes \(prediction.shape) and \(target.shape) differ")
    let count = prediction.count
    let x = prediction.pointer, t = target.pointer
    var total = 0.0
    for i in 0..<count {
        let lp = max(logf(x[i]), -100), lq = max(logf(1 - x[i]), -100)
        total += Double(-(t[i] * lp + (1 - t[i]) * lq))
    }
    var out = Tensor(Float(total / Double(max(count, 1))))
    let ps = prediction.detached(), ts = target.detached()
    Tensor.record("binaryCrossEntropy", &out, inputs: [prediction]) { g in
        // PyTorch: grad = (x − t) / max((1 − x)·x, 1e-12)
        let scale = g.scalar / Float(max(count, 1))
        let dx = Tensor(uninitializedShape: ps.shape)
        let d = dx.pointer, xp = ps.pointer, tp = ts.pointer
        for i in 0..<count { d[i] = scale * (xp[i] - tp[i]) / max((1 - xp[i]) * xp[i], 1e-12) }
        return [dx]
    }
    return out
}

/// KL(𝒩(μ, σ²) ‖ 𝒩(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²), summed over the latent
/// dimensions and averaged over the batch (the β-VAE's regulariser).
///
/// - Parameters:
///   - mean: N×D.
///   - logVariance: N×D.
public func gaussianKLDivergence(mean: Tensor, logVariance: Tensor) -> Tensor {
    precondition(mean.shape == logVariance.shape && mean.rank == 2,
                 "gaussianKLDivergence: mean \(mean.shape) and log-variance \(logVariance.shape) must be the same N×D")
    let n = Float(mean.shape[0])
    let terms = 1 + logVariance - mean * mean - logVariance.exp()
    return terms.sum() * (-0.5 / n)
}
