#if canImport(Glibc)
import Glibc
#endif

/// `torch.softmax(logits, dim=1)` for N×K logits, numerically stable (the row's maximum is
/// subtracted first). Inference only: it records no gradient (training goes through
/// ``softmaxCrossEntropy(logits:targets:classWeights:labelSmoothing:)``, which fuses the two).
public func softmax(_ logits: Tensor) -> Tensor {
    precondition(logits.rank == 2, "softmax: expected N×K logits, got \(logits.shape)")
    let n = logits.shape[0], k = logits.shape[1]
    let y = Tensor(uninitializedShape: [n, k])
    let x = logits.pointer, out = y.pointer
    Threading.parallelFor(n, minimumGrain: max(1, 4096 / max(k, 1))) { i in
        let row = x + i * k, p = out + i * k
        var m = -Float.infinity
        for j in 0..<k { m = max(m, row[j]) }
        var s: Float = 0
        for j in 0..<k { let e = expf(row[j] - m); p[j] = e; s += e }
        let inv = 1 / s
        for j in 0..<k { p[j] *= inv }
    }
    return y
}
