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

    /// The float sums of eight rows (row r at `p + r·stride`, `l` values): Σ_j p_r[j], or with
    /// `centre` μ, Σ_j (p_r[j] − μ)². Each row is summed on its own in order of j — bit for bit
    /// the one-row loop `for j in 0..<l { part += p[j] }` — but the eight rows' additions are
    /// independent chains, interleaved so they overlap: one row's loop waits a float add's
    /// latency at every element, which made these sums, not memory, batch norm's bound.
    @inline(__always)
    static func eightRowSums(_ p: UnsafePointer<Float>, stride: Int, _ l: Int, centre: Float? = nil) -> SIMD8<Float> {
        let p0 = p, p1 = p + stride, p2 = p + 2 * stride, p3 = p + 3 * stride
        let p4 = p + 4 * stride, p5 = p + 5 * stride, p6 = p + 6 * stride, p7 = p + 7 * stride
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        if let mu = centre {
            for j in 0..<l {
                let d0 = p0[j] - mu, d1 = p1[j] - mu, d2 = p2[j] - mu, d3 = p3[j] - mu
                let d4 = p4[j] - mu, d5 = p5[j] - mu, d6 = p6[j] - mu, d7 = p7[j] - mu
                s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
                s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7
            }
        } else {
            for j in 0..<l {
                s0 += p0[j]; s1 += p1[j]; s2 += p2[j]; s3 += p3[j]
                s4 += p4[j]; s5 += p5[j]; s6 += p6[j]; s7 += p7[j]
            }
        }
        return SIMD8(s0, s1, s2, s3, s4, s5, s6, s7)
    }

    /// One row's float sum, Σ_j p[j] or Σ_j (p[j] − μ)², in order of j.
    @inline(__always)
    static func rowSum(_ p: UnsafePointer<Float>, _ l: Int, centre: Float? = nil) -> Float {
        var part: Float = 0
        if let mu = centre {
            for j in 0..<l { let d = p[j] - mu; part += d * d }
        } else {
            for j in 0..<l { part += p[j] }
        }
        return part
    }

    /// Σ_i Double(row i's float sum) over channel `ch`'s `n` rows, in order of i (eight rows'
    /// float sums at a time, ``eightRowSums(_:stride:_:centre:)``).
    @inline(__always)
    static func channelSum(_ x: UnsafePointer<Float>, channel ch: Int, n: Int, c: Int, l: Int, centre: Float? = nil) -> Double {
        var total = 0.0, i = 0
        while i + 8 <= n {
            let parts = eightRowSums(x + (i * c + ch) * l, stride: c * l, l, centre: centre)
            for r in 0..<8 { total += Double(parts[r]) }
            i += 8
        }
        while i < n { total += Double(rowSum(x + (i * c + ch) * l, l, centre: centre)); i += 1 }
        return total
    }

    /// Backward's two float sums of four rows (rows at `g + r·stride`, `p + r·stride`):
    /// Σ_j g_r[j] and Σ_j g_r[j]·(p_r[j] − μ), each row in order of j as the one-row loop sums
    /// it, the eight chains interleaved.
    @inline(__always)
    static func fourRowGradientSums(_ g: UnsafePointer<Float>, _ p: UnsafePointer<Float>, stride: Int, _ l: Int,
                                    mean mu: Float) -> (SIMD4<Float>, SIMD4<Float>) {
        let g0 = g, g1 = g + stride, g2 = g + 2 * stride, g3 = g + 3 * stride
        let q0 = p, q1 = p + stride, q2 = p + 2 * stride, q3 = p + 3 * stride
        var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
        var b0: Float = 0, b1: Float = 0, b2: Float = 0, b3: Float = 0
        for j in 0..<l {
            let v0 = g0[j], v1 = g1[j], v2 = g2[j], v3 = g3[j]
            a0 += v0; b0 += v0 * (q0[j] - mu)
            a1 += v1; b1 += v1 * (q1[j] - mu)
            a2 += v2; b2 += v2 * (q2[j] - mu)
            a3 += v3; b3 += v3 * (q3[j] - mu)
        }
        return (SIMD4(a0, a1, a2, a3), SIMD4(b0, b1, b2, b3))
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
            let mu = channelSum(x, channel: ch, n: n, c: c, l: l) / m
            let muF = Float(mu)
            let v = channelSum(x, channel: ch, n: n, c: c, l: l, centre: muF) / m
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
            var sumDy = 0.0, sumDyXhat = 0.0, i = 0
            // Each row's two float sums in order of j, four rows' at a time (masked just before, while
            // in cache); the Double totals in order of i.
            while i + 4 <= n {
                let o = (i * c + ch) * l
                if let relu {
                    for r in 0..<4 { let at = o + r * c * l; maskRow(dy + at, relu.output + at, relu.maskedGradient + at, l) }
                }
                let (a, b) = fourRowGradientSums(dyIn + o, x + o, stride: c * l, l, mean: mu)
                for r in 0..<4 { sumDy += Double(a[r]); sumDyXhat += Double(b[r]) }
                i += 4
            }
            while i < n {
                let o = (i * c + ch) * l
                if let relu { maskRow(dy + o, relu.output + o, relu.maskedGradient + o, l) }
                let g = dyIn + o, p = x + o
                var a: Float = 0, b: Float = 0
                for j in 0..<l { a += g[j]; b += g[j] * (p[j] - mu) }
                sumDy += Double(a); sumDyXhat += Double(b)
                i += 1
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
