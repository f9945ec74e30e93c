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
    /// `centres` μ_r, Σ_j (p_r[j] − μ_r)². Each row is summed on its own in order of j — bit for
    /// bit the one-row loop `for j in 0..<l { part += p[j] }` — but the eight rows' additions
    /// are independent chains, interleaved so they overlap: one row's loop waits a float add's
    /// latency at every element, which made these sums, not memory, batch norm's bound.
    @inline(__always)
    static func eightRowSums(_ p: UnsafePointer<Float>, stride: Int, _ l: Int, centres: SIMD8<Float>? = nil) -> SIMD8<Float> {
        let p0 = p, p1 = p + stride, p2 = p + 2 * stride, p3 = p + 3 * stride
        let p4 = p + 4 * stride, p5 = p + 5 * stride, p6 = p + 6 * stride, p7 = p + 7 * stride
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        if let mu = centres {
            let m0 = mu[0], m1 = mu[1], m2 = mu[2], m3 = mu[3], m4 = mu[4], m5 = mu[5], m6 = mu[6], m7 = mu[7]
            for j in 0..<l {
                let d0 = p0[j] - m0, d1 = p1[j] - m1, d2 = p2[j] - m2, d3 = p3[j] - m3
                let d4 = p4[j] - m4, d5 = p5[j] - m5, d6 = p6[j] - m6, d7 = p7[j] - m7
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

    /// Backward's two float sums of four rows (rows at `g + r·stride`, `p + r·stride`, means
    /// μ_r): Σ_j g_r[j] and Σ_j g_r[j]·(p_r[j] − μ_r), each row in order of j as the one-row loop
    /// sums it, the eight chains interleaved.
    @inline(__always)
    static func fourRowGradientSums(_ g: UnsafePointer<Float>, _ p: UnsafePointer<Float>, stride: Int, _ l: Int,
                                    means mu: SIMD4<Float>) -> (SIMD4<Float>, SIMD4<Float>) {
        let g0 = g, g1 = g + stride, g2 = g + 2 * stride, g3 = g + 3 * stride
        let q0 = p, q1 = p + stride, q2 = p + 2 * stride, q3 = p + 3 * stride
        let m0 = mu[0], m1 = mu[1], m2 = mu[2], m3 = mu[3]
        var a0: Float = 0, a1: Float = 0, a2: Float = 0, a3: Float = 0
        var b0: Float = 0, b1: Float = 0, b2: Float = 0, b3: Float = 0
        for j in 0..<l {
            let v0 = g0[j], v1 = g1[j], v2 = g2[j], v3 = g3[j]
            a0 += v0; b0 += v0 * (q0[j] - m0)
            a1 += v1; b1 += v1 * (q1[j] - m1)
            a2 += v2; b2 += v2 * (q2[j] - m2)
            a3 += v3; b3 += v3 * (q3[j] - m3)
        }
        return (SIMD4(a0, a1, a2, a3), SIMD4(b0, b1, b2, b3))
    }

    /// Channels a block of the kernels takes together: as many as keep all `n` images of them
    /// (~256 KiB) in cache from one pass to the next. A block of at least eight channels sums
    /// neighbouring channels' rows together (at one image they are one contiguous run — small
    /// maps, where a channel's rows are a few floats far apart); a smaller one sums a channel
    /// at a time, its images' rows together.
    static func channelsPerBlock(n: Int, l: Int) -> Int { max(1, (64 * 1024) / max(1, n * l)) }

    /// Per channel of `channels`, Σ_i Double(row (i, ch)'s float sum) in order of i into
    /// `totals` (one per channel of the block) — row sums as ``eightRowSums(_:stride:_:centres:)``
    /// gives them, `centre(ch)` subtracted when given: eight channels' rows at a time in a
    /// wide block, eight images' rows at a time otherwise. The same bits either way.
    @inline(__always)
    static func channelTotals(_ x: UnsafePointer<Float>, channels: Range<Int>, n: Int, c: Int, l: Int,
                              centre: ((Int) -> Float)?, into totals: UnsafeMutablePointer<Double>) {
        let b0 = channels.lowerBound, b1 = channels.upperBound
        for t in 0..<(b1 - b0) { totals[t] = 0 }
        if b1 - b0 >= 8 {
            for i in 0..<n {
                var ch = b0
                while ch + 8 <= b1 {
                    let centres = centre.map { f in SIMD8<Float>(f(ch), f(ch + 1), f(ch + 2), f(ch + 3), f(ch + 4), f(ch + 5), f(ch + 6), f(ch + 7)) }
                    let parts = eightRowSums(x + (i * c + ch) * l, stride: l, l, centres: centres)
                    for r in 0..<8 { totals[ch - b0 + r] += Double(parts[r]) }
                    ch += 8
                }
                while ch < b1 { totals[ch - b0] += Double(rowSum(x + (i * c + ch) * l, l, centre: centre?(ch))); ch += 1 }
            }
            return
        }
        for ch in channels {
            let mu = centre?(ch)
            var total = 0.0, i = 0
            while i + 8 <= n {
                let parts = eightRowSums(x + (i * c + ch) * l, stride: c * l, l, centres: mu.map { SIMD8(repeating: $0) })
                for r in 0..<8 { total += Double(parts[r]) }
                i += 8
            }
            while i < n { total += Double(rowSum(x + (i * c + ch) * l, l, centre: mu)); i += 1 }
            totals[ch - b0] = total
        }
    }

    /// Training forward: per-channel biased batch mean/variance, normalise, scale and shift.
    /// Writes `mean` and `invStd` (1/√(var+eps)) per channel and returns the biased variances.
    /// Each channel's sums are each row's float sum, added as Doubles in order of the images.
    static func trainForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                             gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                             n: Int, c: Int, l: Int, eps: Float,
                             mean: UnsafeMutablePointer<Float>, invStd: UnsafeMutablePointer<Float>,
                             variance: UnsafeMutablePointer<Float>, epilogue: OutputEpilogue = .none,
                             channelsPerBlock block: Int? = nil) {
        let m = Double(n * l), block = block ?? channelsPerBlock(n: n, l: l)
        Threading.parallelRanges(c, minimumGrain: max(1, 16384 / max(1, n * l))) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: min(block, range.count)) { buffer in
                guard let totals = buffer.baseAddress else { return }
                var b0 = range.lowerBound
                while b0 < range.upperBound {
                    let channels = b0..<min(range.upperBound, b0 + block)
                    channelTotals(x, channels: channels, n: n, c: c, l: l, centre: nil, into: totals)
                    for ch in channels { mean[ch] = Float(totals[ch - b0] / m) }
                    channelTotals(x, channels: channels, n: n, c: c, l: l, centre: { mean[$0] }, into: totals)
                    for ch in channels {
                        let v = totals[ch - b0] / m
                        let inv = Float(1 / (v + Double(eps)).squareRoot())
                        invStd[ch] = inv; variance[ch] = Float(v)
                    }
                    for i in 0..<n {
                        for ch in channels {
                            let scale = (gamma?[ch] ?? 1) * invStd[ch], shift = (beta?[ch] ?? 0) - mean[ch] * scale
                            let o = (i * c + ch) * l
                            affineRow(x + o, y + o, l, scale: scale, shift: shift, epilogue: epilogue, at: o)
                        }
                    }
                    b0 = channels.upperBound
                }
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

    /// Backward's per-channel sums over the block `channels` — Σ_i Double(Σ_j dy) and
    /// Σ_i Double(Σ_j dy·(x − μ)), each row's float sums in order of j, the Double totals in order
    /// of i — masking each row first when `relu` is given (while it is in cache).
    @inline(__always)
    static func gradientTotals(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                               channels: Range<Int>, n: Int, c: Int, l: Int,
                               relu: (output: UnsafePointer<Float>, maskedGradient: UnsafeMutablePointer<Float>)?,
                               sumDy: UnsafeMutablePointer<Double>, sumDyXhat: UnsafeMutablePointer<Double>) {
        let b0 = channels.lowerBound, b1 = channels.upperBound
        let dyIn: UnsafePointer<Float> = relu.map { UnsafePointer($0.maskedGradient) } ?? dy
        for t in 0..<(b1 - b0) { sumDy[t] = 0; sumDyXhat[t] = 0 }
        @inline(__always) func oneRow(_ i: Int, _ ch: Int) {
            let o = (i * c + ch) * l, g = dyIn + o, p = x + o, mu = mean[ch]
            var a: Float = 0, b: Float = 0
            for j in 0..<l { a += g[j]; b += g[j] * (p[j] - mu) }
            sumDy[ch - b0] += Double(a); sumDyXhat[ch - b0] += Double(b)
        }
        if b1 - b0 >= 4 {
            for i in 0..<n {
                let o = (i * c + b0) * l
                // The block's rows at image i are one run: masked in one go.
                if let relu { maskRow(dy + o, relu.output + o, relu.maskedGradient + o, (b1 - b0) * l) }
                var ch = b0
                while ch + 4 <= b1 {
                    let at = (i * c + ch) * l
                    let (a, b) = fourRowGradientSums(dyIn + at, x + at, stride: l, l,
                                                     means: SIMD4(mean[ch], mean[ch + 1], mean[ch + 2], mean[ch + 3]))
                    for r in 0..<4 { sumDy[ch - b0 + r] += Double(a[r]); sumDyXhat[ch - b0 + r] += Double(b[r]) }
                    ch += 4
                }
                while ch < b1 { oneRow(i, ch); ch += 1 }
            }
            return
        }
        for ch in channels {
            var i = 0
            while i + 4 <= n {
                let o = (i * c + ch) * l
                if let relu {
                    for r in 0..<4 { let at = o + r * c * l; maskRow(dy + at, relu.output + at, relu.maskedGradient + at, l) }
                }
                let (a, b) = fourRowGradientSums(dyIn + o, x + o, stride: c * l, l, means: SIMD4(repeating: mean[ch]))
                for r in 0..<4 { sumDy[ch - b0] += Double(a[r]); sumDyXhat[ch - b0] += Double(b[r]) }
                i += 4
            }
            while i < n {
                if let relu { let o = (i * c + ch) * l; maskRow(dy + o, relu.output + o, relu.maskedGradient + o, l) }
                oneRow(i, ch)
                i += 1
            }
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
                         relu: (output: UnsafePointer<Float>, maskedGradient: UnsafeMutablePointer<Float>)? = nil,
                         channelsPerBlock block: Int? = nil) {
        let m = Float(n * l), block = block ?? channelsPerBlock(n: n, l: l)
        // The gradient as batch norm sees it: dy, or the masked copy.
        let dyIn: UnsafePointer<Float> = relu.map { UnsafePointer($0.maskedGradient) } ?? dy
        Threading.parallelRanges(c, minimumGrain: max(1, 16384 / max(1, n * l))) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * min(block, range.count)) { buffer in
                guard let sums = buffer.baseAddress else { return }
                let width = min(block, range.count)
                var b0 = range.lowerBound
                while b0 < range.upperBound {
                    let channels = b0..<min(range.upperBound, b0 + block)
                    gradientTotals(dy, x, mean: mean, channels: channels, n: n, c: c, l: l, relu: relu,
                                   sumDy: sums, sumDyXhat: sums + width)
                    for ch in channels {
                        let sDy = Float(sums[ch - b0]), sDyXhat = Float(sums[width + ch - b0]) * invStd[ch]
                        dgamma?[ch] = sDyXhat
                        dbeta?[ch] = sDy
                    }
                    if let dx {
                        for i in 0..<n {
                            for ch in channels {
                                let mu = mean[ch], inv = invStd[ch], gm = gamma?[ch] ?? 1
                                let sDy = Float(sums[ch - b0]), sDyXhat = Float(sums[width + ch - b0]) * inv
                                let g = dyIn + (i * c + ch) * l, p = x + (i * c + ch) * l, d = dx + (i * c + ch) * l
                                if batchStatistics {
                                    let k = gm * inv / m, meanDy = sDy, coef = sDyXhat * inv
                                    for j in 0..<l { d[j] = k * (m * g[j] - meanDy - (p[j] - mu) * coef) }
                                } else {
                                    let k = gm * inv
                                    for j in 0..<l { d[j] = k * g[j] }
                                }
                            }
                        }
                    }
                    b0 = channels.upperBound
                }
            }
        }
    }
}
