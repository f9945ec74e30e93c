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
    fusedBatchNorm(x, residual: nil, relu: false, runningMean: &runningMean, runningVariance: &runningVariance,
                   weight: weight, bias: bias, training: training, momentum: momentum, eps: eps)
}

/// `relu(batchNorm(x) + residual)` — or `relu(batchNorm(x))` without a residual — in one
/// pass over the activations each way: the values and gradients are bit for bit those of
/// the separate ``batchNorm(_:runningMean:runningVariance:weight:bias:training:momentum:eps:)``,
/// `+` and ``Tensor/relu()``, but the normalised tensor and the sum are never stored, and
/// backward reads the output (ReLU's mask) instead of keeping another activation.
///
/// This is ResNet's `relu(bn1(conv1(x)))` and `relu(bn2(conv2(h)) + identity)`.
///
/// - Parameters:
///   - residual: added after the affine map, before the ReLU; same shape as `x`.
///   - The others: as in `batchNorm`.
public func batchNormReLU(_ x: Tensor, adding residual: Tensor? = nil,
                          runningMean: inout Tensor?, runningVariance: inout Tensor?,
                          weight: Tensor?, bias: Tensor?, training: Bool,
                          momentum: Float = 0.1, eps: Float = 1e-5) -> Tensor {
    fusedBatchNorm(x, residual: residual, relu: true, runningMean: &runningMean, runningVariance: &runningVariance,
                   weight: weight, bias: bias, training: training, momentum: momentum, eps: eps)
}

private func fusedBatchNorm(_ x: Tensor, residual: Tensor?, relu: Bool,
                            runningMean: inout Tensor?, runningVariance: inout Tensor?,
                            weight: Tensor?, bias: Tensor?, training: Bool,
                            momentum: Float, eps: Float) -> Tensor {
    precondition(x.rank >= 2, "batchNorm: input must be N×C or N×C×…, got \(x.shape)")
    if let residual {
        precondition(residual.shape == x.shape, "batchNormReLU: residual \(residual.shape) ≠ input \(x.shape)")
    }
    let epilogue = OutputEpilogue(residual: residual?.pointer, relu: relu)
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
                                   mean: mean.pointer, invStd: invStd.pointer, n: n, c: c, l: l, epilogue: epilogue)
    } else {
        precondition(n * l > 1 || !training, "batchNorm: expected more than 1 value per channel when training, got input \(x.shape)")
        let variance = Tensor(uninitializedShape: [c])
        BatchNormKernels.trainForward(x.pointer, y.pointer, gamma: weight?.pointer, beta: bias?.pointer,
                                      n: n, c: c, l: l, eps: eps, mean: mean.pointer, invStd: invStd.pointer,
                                      variance: variance.pointer, epilogue: epilogue)
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
    let ys: Tensor? = relu ? y.detached() : nil   // ReLU's mask: the output, which the next op keeps anyway
    let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
    let needR = residual?.requiresGrad ?? false
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    if let residual { inputs.append(residual) }
    let hasWeight = weight != nil, hasBias = bias != nil, hasResidual = residual != nil
    let name = relu ? (hasResidual ? "batchNorm+add+relu" : "batchNorm+relu") : "batchNorm"
    Tensor.record(name, &y, inputs: inputs) { dy in
        let dx = needX ? Tensor(uninitializedShape: xs.shape) : nil
        let dg = needW ? Tensor(uninitializedShape: [c]) : nil
        let db = needB ? Tensor(uninitializedShape: [c]) : nil
        // ReLU's masked gradient (also the residual's gradient) goes to a buffer of its own.
        var masked: Tensor? = nil
        var reluBuffers: (output: UnsafePointer<Float>, maskedGradient: UnsafeMutablePointer<Float>)? = nil
        if let ys {
            let buffer = Tensor(uninitializedShape: xs.shape)
            masked = buffer
            reluBuffers = (UnsafePointer(ys.pointer), buffer.pointer)
        }
        BatchNormKernels.backward(dy.pointer, xs.pointer, dx?.pointer, gamma: gamma?.pointer,
                                  mean: mean.pointer, invStd: invStd.pointer, dgamma: dg?.pointer, dbeta: db?.pointer,
                                  n: n, c: c, l: l, batchStatistics: useBatch, relu: reluBuffers)
        var grads: [Tensor?] = [dx]
        if hasWeight { grads.append(dg) }
        if hasBias { grads.append(db) }
        if hasResidual {
            // Without ReLU the residual's gradient is the incoming one, as `+` gives it.
            grads.append(needR ? (masked ?? dy) : nil)
        }
        return grads
    }
    return y
}
