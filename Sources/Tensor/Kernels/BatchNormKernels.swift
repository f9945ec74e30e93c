/// Batch normalisation over an N×C×L layout (L = H·W for images, 1 for vectors),
/// parallel over channels. Statistics accumulate in `Double` for accuracy.
///
/// The forward kernels can end in a residual add and a ReLU (an ``OutputEpilogue``), and the
/// backward kernel can take the ReLU's mask, so `relu(bn(x) + r)` is one pass over the
/// activations each way, with exactly the roundings of the three separate ops.
enum BatchNormKernels {
    /// One row (output offset `o`) of the affine map and its epilogue: the same float
    /// operations, in the same order, as batch norm, then `+`, then ReLU, eight lanes at a time.
    @inline(__always)
    static func affineRow(_ p: UnsafePointer<Float>, _ q: UnsafeMutablePointer<Float>, _ l: Int,
                          scale: Float, shift: Float, epilogue: OutputEpilogue, at o: Int) {
        guard !epilogue.isNone else {
            for j in 0..<l { q[j] = p[j] * scale + shift }
            return
        }
        typealias V = SIMD8<Float>
        let vs = V(repeating: scale), vb = V(repeating: shift)
        var j = 0
        while j + 8 <= l {
            let v = UnsafeRawPointer(p + j).loadUnaligned(as: V.self) * vs + vb
            UnsafeMutableRawPointer(q + j).storeBytes(of: epilogue.finish(v, at: o + j), as: V.self)
            j += 8
        }
        while j < l { q[j] = epilogue.finish(p[j] * scale + shift, at: o + j); j += 1 }
    }

    /// ReLU's backward on one row: `out = y > 0 ? g : 0` (NaN → 0), eight lanes at a time.
    @inline(__always)
    static func maskRow(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ l: Int) {
        typealias V = SIMD8<Float>
        let zero = V()
        var j = 0
        while j + 8 <= l {
            let gv = UnsafeRawPointer(g + j).loadUnaligned(as: V.self), yv = UnsafeRawPointer(y + j).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + j).storeBytes(of: gv.replacing(with: zero, where: .!(yv .> zero)), as: V.self)
            j += 8
        }
        while j < l { out[j] = y[j] > 0 ? g[j] : 0; j += 1 }
    }

    /// Training forward: per-channel biased batch mean/variance, normalise, scale and shift.
    /// Writes `mean` and `invStd` (1/√(var+eps)) per channel and returns the biased variances.
    static func trainForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                             gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                             n: Int, c: Int, l: Int, eps: Float,
                             mean: UnsafeMutablePointer<Float>, invStd: UnsafeMutablePointer<Float>,
                             variance: UnsafeMutablePointer<Float>, epilogue: OutputEpilogue = .none) {
        let m = Double(n * l)
        Threading.parallelFor(c, minimumGrain: max(1, 16384 / max(1, n * l))) { ch in
            var s = 0.0
            for i in 0..<n {
                let p = x + (i * c + ch) * l
                var part: Float = 0
                for j in 0..<l { part += p[j] }
                s += Double(part)
            }
            let mu = s / m
            let muF = Float(mu)
            var ss = 0.0
            for i in 0..<n {
                let p = x + (i * c + ch) * l
                var part: Float = 0
                for j in 0..<l { let d = p[j] - muF; part += d * d }
                ss += Double(part)
            }
            let v = ss / m
            let inv = Float(1 / (v + Double(eps)).squareRoot())
            mean[ch] = muF; invStd[ch] = inv; variance[ch] = Float(v)
            let scale = (gamma?[ch] ?? 1) * inv, shift = (beta?[ch] ?? 0) - muF * scale
            for i in 0..<n {
                let o = (i * c + ch) * l
                affineRow(x + o, y + o, l, scale: scale, shift: shift, epilogue: epilogue, at: o)
            }
        }
    }

    /// `y = (x − mean)·invStd·gamma + beta` with given statistics (evaluation mode).
    static func normalize(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                          gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                          mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, n: Int, c: Int, l: Int,
                          epilogue: OutputEpilogue = .none) {
        Threading.parallelFor(n * c, minimumGrain: max(1, 16384 / max(1, l))) { idx in
            let ch = idx % c
            let scale = (gamma?[ch] ?? 1) * invStd[ch], shift = (beta?[ch] ?? 0) - mean[ch] * scale
            let o = idx * l
            affineRow(x + o, y + o, l, scale: scale, shift: shift, epilogue: epilogue, at: o)
        }
    }

    /// Backward. With `batchStatistics` the mean and variance depend on x (training mode):
    /// dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂)); otherwise dx = γ·invStd·dy.
    /// Always writes dgamma = Σ dy·x̂ and dbeta = Σ dy when given.
    ///
    /// With `relu` (the fused forward's output y, and a buffer of dy's size) the incoming
    /// gradient is first masked into the buffer, `y > 0 ? dy : 0` (NaN → 0) as ReLU's
    /// backward does, and everything after reads the buffer — which then holds the
    /// residual's gradient of `relu(bn(x) + r)`.
    static func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
                         gamma: UnsafePointer<Float>?, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                         dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?,
                         n: Int, c: Int, l: Int, batchStatistics: Bool,
                         relu: (output: UnsafePointer<Float>, maskedGradient: UnsafeMutablePointer<Float>)? = nil) {
        let m = Float(n * l)
        // The gradient as batch norm sees it: dy, or the masked copy.
        let dyIn: UnsafePointer<Float> = relu.map { UnsafePointer($0.maskedGradient) } ?? dy
        Threading.parallelFor(c, minimumGrain: max(1, 16384 / max(1, n * l))) { ch in
            let mu = mean[ch], inv = invStd[ch]
            var sumDy = 0.0, sumDyXhat = 0.0
            for i in 0..<n {
                let o = (i * c + ch) * l
                if let relu { maskRow(dy + o, relu.output + o, relu.maskedGradient + o, l) }
                let g = dyIn + o, p = x + o
                var a: Float = 0, b: Float = 0
                for j in 0..<l { a += g[j]; b += g[j] * (p[j] - mu) }
                sumDy += Double(a); sumDyXhat += Double(b)
            }
            let sDy = Float(sumDy), sDyXhat = Float(sumDyXhat) * inv
            dgamma?[ch] = sDyXhat
            dbeta?[ch] = sDy
            guard let dx else { return }
            let gm = gamma?[ch] ?? 1
            if batchStatistics {
                let k = gm * inv / m
                let meanDy = sDy, coef = sDyXhat * inv
                for i in 0..<n {
                    let g = dyIn + (i * c + ch) * l, p = x + (i * c + ch) * l, d = dx + (i * c + ch) * l
                    for j in 0..<l { d[j] = k * (m * g[j] - meanDy - (p[j] - mu) * coef) }
                }
            } else {
                let k = gm * inv
                for i in 0..<n {
                    let g = dyIn + (i * c + ch) * l, d = dx + (i * c + ch) * l
                    for j in 0..<l { d[j] = k * g[j] }
                }
            }
        }
    }
}
