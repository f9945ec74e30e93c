#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `torch.nn.functional.batch_norm` over N×C (1-d) or N×C×H×W / N×C×L (2-d) input.
///
/// Training: normalise with the biased batch variance and update the running
/// statistics in place with `momentum` (running variance from the unbiased batch
/// variance), as PyTorch does. Evaluation: normalise with the running statistics.
///
/// - Parameters:
///   - runningMean, runningVariance: C-vectors updated in training mode (when given).
///   - weight, bias: optional affine parameters γ and β (C-vectors).
public func batchNorm(_ x: Tensor, runningMean: inout Tensor?, runningVariance: inout Tensor?,
                      weight: Tensor?, bias: Tensor?, training: Bool,
                      momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    precondition(x.rank >= 2, "batchNorm: input must be N×C or N×C×…, got \(x.shape)")
    let n = x.shape[0], c = x.shape[1], l = x.shape[2...].reduce(1, *)
    for (name, t) in [("weight", weight), ("bias", bias), ("running mean", runningMean), ("running variance", runningVariance)] {
        if let t { precondition(t.shape == [c], "batchNorm: \(name) has shape \(t.shape), expected [\(c)]") }
    }
    var y = Tensor(uninitializedShape: x.shape)
    let mean = Tensor(uninitializedShape: [c]), invStd = Tensor(uninitializedShape: [c])
    let useBatch = training || runningMean == nil || runningVariance == nil
    if !useBatch, let rm = runningMean, let rv = runningVariance {
        for i in 0..<c {
            mean.pointer[i] = rm.pointer[i]
            invStd.pointer[i] = 1 / sqrtf(rv.pointer[i] + eps)
        }
        BatchNormKernels.normalize(x.pointer, y.pointer, gamma: weight?.pointer, beta: bias?.pointer,
                                   mean: mean.pointer, invStd: invStd.pointer, n: n, c: c, l: l)
    } else {
        precondition(n * l > 1 || !training, "batchNorm: expected more than 1 value per channel when training, got input \(x.shape)")
        let variance = Tensor(uninitializedShape: [c])
        BatchNormKernels.trainForward(x.pointer, y.pointer, gamma: weight?.pointer, beta: bias?.pointer,
                                      n: n, c: c, l: l, eps: eps, mean: mean.pointer, invStd: invStd.pointer,
                                      variance: variance.pointer)
        if training, var rm = runningMean, var rv = runningVariance {
            runningMean = nil; runningVariance = nil   // unique references: updated in place
            let unbias = Float(n * l) / Float(max(n * l - 1, 1))
            rm.withUnsafeMutableBufferPointer { rm in
                for i in 0..<c { rm[i] = (1 - momentum) * rm[i] + momentum * mean.pointer[i] }
            }
            rv.withUnsafeMutableBufferPointer { rv in
                for i in 0..<c { rv[i] = (1 - momentum) * rv[i] + momentum * variance.pointer[i] * unbias }
            }
            runningMean = rm; runningVariance = rv
        }
    }
    let xs = x.detached(), gamma = weight?.detached()
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let hasWeight = weight != nil, hasBias = bias != nil
    Tensor.record("batchNorm", &y, inputs: inputs) { dy in
        let dx = needX ? Tensor(uninitializedShape: xs.shape) : nil
        let dg = needW ? Tensor(uninitializedShape: [c]) : nil
        let db = needB ? Tensor(uninitializedShape: [c]) : nil
        BatchNormKernels.backward(dy.pointer, xs.pointer, dx?.pointer, gamma: gamma?.pointer,
                                  mean: mean.pointer, invStd: invStd.pointer, dgamma: dg?.pointer, dbeta: db?.pointer,
                                  n: n, c: c, l: l, batchStatistics: useBatch)
        var grads: [Tensor?] = [dx]
        if hasWeight { grads.append(dg) }
        if hasBias { grads.append(db) }
        return grads
    }
    return y
}
