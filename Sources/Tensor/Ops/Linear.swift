/// Matrix product and the fully connected layer's affine map, both on `cblas_sgemm` — or, under
/// ``withAutocast(_:_:)`` in bf16, on bf16 operands (forward and backward, as recorded).
extension Tensor {
    /// `[m, k] × [k, n] → [m, n]`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul: shapes \(shape) and \(other.shape) do not multiply")
        let m = shape[0], k = shape[1], n = other.shape[1]
        var out = Tensor(uninitializedShape: [m, n])
        let precision = Autocast.precision
        GEMM.sgemm(m: m, n: n, k: k, a: pointer, lda: k, b: other.pointer, ldb: n, c: out.pointer, ldc: n, precision: precision)
        let a = detached(), b = other.detached()
        let needA = requiresGrad, needB = other.requiresGrad
        Tensor.record("matmul", &out, inputs: [self, other]) { g in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if needA {   // dA = dC · Bᵀ
                let t = Tensor(uninitializedShape: [m, k])
                GEMM.sgemm(transposeB: true, m: m, n: k, k: n, a: g.pointer, lda: n, b: b.pointer, ldb: n, c: t.pointer, ldc: k, precision: precision)
                ga = t
            }
            if needB {   // dB = Aᵀ · dC
                let t = Tensor(uninitializedShape: [k, n])
                GEMM.sgemm(transposeA: true, m: k, n: n, k: m, a: a.pointer, lda: k, b: g.pointer, ldb: n, c: t.pointer, ldc: n, precision: precision)
                gb = t
            }
            return [ga, gb]
        }
        return out
    }
}

/// `x · Wᵀ + b` for `x: [N, in]`, `weight: [out, in]`, `bias: [out]` — `torch.nn.functional.linear`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) does not match weight \(weight.shape)")
    let n = x.shape[0], inF = x.shape[1], outF = weight.shape[0]
    if let bias { precondition(bias.shape == [outF], "linear: bias \(bias.shape) should be [\(outF)]") }
    var out = Tensor(uninitializedShape: [n, outF])
    let y = out.pointer, precision = Autocast.precision
    if let bias {
        for i in 0..<n { (y + i * outF).update(from: bias.pointer, count: outF) }
    }
    GEMM.sgemm(transposeB: true, m: n, n: outF, k: inF, a: x.pointer, lda: inF, b: weight.pointer, ldb: inF,
               beta: bias == nil ? 0 : 1, c: y, ldc: outF, precision: precision)
    let xs = x.detached(), ws = weight.detached()
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    Tensor.record("linear", &out, inputs: inputs) { g in
        var grads: [Tensor?] = [nil, nil]
        if needX {   // dx = dy · W
            let t = Tensor(uninitializedShape: [n, inF])
            GEMM.sgemm(m: n, n: inF, k: outF, a: g.pointer, lda: outF, b: ws.pointer, ldb: inF, c: t.pointer, ldc: inF, precision: precision)
            grads[0] = t
        }
        if needW {   // dW = dyᵀ · x
            let t = Tensor(uninitializedShape: [outF, inF])
            GEMM.sgemm(transposeA: true, m: outF, n: inF, k: n, a: g.pointer, lda: outF, b: xs.pointer, ldb: inF, c: t.pointer, ldc: inF, precision: precision)
            grads[1] = t
        }
        if bias != nil {
            if needB {
                let t = Tensor(uninitializedShape: [outF])
                ElementwiseKernels.sumOuterInner(g.pointer, outer: n, mid: outF, inner: 1, into: t.pointer)
                grads.append(t)
            } else { grads.append(nil) }
        }
        return grads
    }
    return out
}
