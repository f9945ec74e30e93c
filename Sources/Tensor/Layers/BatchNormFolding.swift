#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A convolution with an evaluation-mode batch norm folded into it, and what it was made from.
struct FoldedConvolution {
    /// The storages (identity and version) of the convolution's weight and bias and the
    /// batch norm's γ, β, running mean and running variance it was computed from.
    let sources: [Source?]
    let weight: Tensor, bias: Tensor

    /// A storage, held weakly (a freed one never matches, even if its address is reused), and its version.
    struct Source {
        weak var storage: TensorStorage?
        let version: UInt64
        init(_ t: Tensor) { storage = t.storage; version = t.storage.version }
        func matches(_ t: Tensor?) -> Bool { t.map { storage === $0.storage && version == $0.storage.version } ?? false }
    }

    /// Whether `inputs` are the tensors, unchanged, this was computed from.
    func isFolded(from inputs: [Tensor?]) -> Bool {
        sources.count == inputs.count && zip(sources, inputs).allSatisfy { source, input in
            source.map { $0.matches(input) } ?? (input == nil)
        }
    }
}

extension BatchNormalization {
    /// The weight and bias of one convolution computing `self(conv(x))` in evaluation mode —
    /// `torch.nn.utils.fusion.fuse_conv_bn_weights`, the same float operations in the same order:
    /// with r = rsqrt(σ² + ε) per output channel, W' = W·(γ·r) and b' = (b − μ)·r·γ + β (b = 0
    /// for a convolution without bias).
    ///
    /// ResNet's inference path (no gradient, evaluation mode) runs its convolutions this way:
    /// one pass over each activation fewer, the ReLU and the residual add applied as the
    /// convolution writes its output (``conv2dReLU(_:weight:bias:stride:padding:adding:)``).
    /// The values differ from the separate layers' by rounding only.
    ///
    /// The result is kept until any of the six tensors is changed or replaced (an optimiser
    /// step, `load(stateDictionary:)`), so successive batches reuse it — and with it the
    /// convolution's cached Winograd transform.
    public func folded(into conv: Conv2d) -> (weight: Tensor, bias: Tensor) {
        let w = conv.weight.value
        precondition(w.rank == 4 && w.shape[0] == weight.value.shape[0],
                     "BatchNormalization.folded(into:): \(w.shape[0]) convolution outputs for \(weight.value.shape[0]) batch-norm channels")
        let inputs: [Tensor?] = [w, conv.bias?.value, weight.value, bias.value, runningMean.value, runningVariance.value]
        if let cached = foldCache, cached.isFolded(from: inputs) { return (cached.weight, cached.bias) }

        let o = w.shape[0], perOutput = w.count / max(o, 1)
        var foldedWeight = Tensor(uninitializedShape: w.shape), foldedBias = Tensor(uninitializedShape: [o])
        let gamma = weight.value.pointer, beta = bias.value.pointer
        let mean = runningMean.value.pointer, variance = runningVariance.value.pointer
        let convBias = conv.bias?.value.pointer
        let source = w.pointer
        foldedWeight.withUnsafeMutableBufferPointer { fw in
            foldedBias.withUnsafeMutableBufferPointer { fb in
                for ch in 0..<o {
                    let rsqrt = 1 / sqrtf(variance[ch] + eps), s = gamma[ch] * rsqrt
                    for j in 0..<perOutput { fw[ch * perOutput + j] = source[ch * perOutput + j] * s }
                    fb[ch] = ((convBias?[ch] ?? 0) - mean[ch]) * rsqrt * gamma[ch] + beta[ch]
                }
            }
        }
        foldCache = FoldedConvolution(sources: inputs.map { $0.map(FoldedConvolution.Source.init) },
                                      weight: foldedWeight, bias: foldedBias)
        return (foldedWeight, foldedBias)
    }
}
