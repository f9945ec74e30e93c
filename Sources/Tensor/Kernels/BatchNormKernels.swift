/// Batch normalisation over an N×C×L layout (L = H·W for images, 1 for vectors),
/// parallel over channels. Statistics accumulate in `Double` for accuracy.
enum BatchNormKernels {
    /// Training forward: per-channel biased batch mean/variance, normalise, scale and shift.
    /// Writes `mean` and `invStd` (1/√(var+eps)) per channel and returns the biased variances.
    static func trainForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                             gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                             n: Int, c: Int, l: Int, eps: Float,
                             mean: UnsafeMutablePointer<Float>, invStd: UnsafeMutablePointer<Float>,
                             variance: UnsafeMutablePointer<Float>) {
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
                let p = x + (i * c + ch) * l, q = y + (i * c + ch) * l
                for j in 0..<l { q[j] = p[j] * scale + shift }
            }
        }
    }

    /// `y = (x − mean)·invStd·gamma + beta` with given statistics (evaluation mode).
    static func normalize(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                          gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                          mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>, n: Int, c: Int, l: Int) {
        Threading.parallelFor(n * c, minimumGrain: max(1, 16384 / max(1, l))) { idx in
            let ch = idx % c
            let scale = (gamma?[ch] ?? 1) * invStd[ch], shift = (beta?[ch] ?? 0) - mean[ch] * scale
            let p = x + idx * l, q = y + idx * l
            for j in 0..<l { q[j] = p[j] * scale + shift }
        }
    }

    /// Backward. With `batchStatistics` the mean and variance depend on x (training mode):
    /// dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂)); otherwise dx = γ·invStd·dy.
    /// Always writes dgamma = Σ dy·x̂ and dbeta = Σ dy when given.
    static func backward(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?,
                         gamma: UnsafePointer<Float>?, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                         dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?,
                         n: Int, c: Int, l: Int, batchStatistics: Bool) {
        let m = Float(n * l)
        Threading.parallelFor(c, minimumGrain: max(1, 16384 / max(1, n * l))) { ch in
            let mu = mean[ch], inv = invStd[ch]
            var sumDy = 0.0, sumDyXhat = 0.0
            for i in 0..<n {
                let g = dy + (i * c + ch) * l, p = x + (i * c + ch) * l
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
                    let g = dy + (i * c + ch) * l, p = x + (i * c + ch) * l, d = dx + (i * c + ch) * l
                    for j in 0..<l { d[j] = k * (m * g[j] - meanDy - (p[j] - mu) * coef) }
                }
            } else {
                let k = gm * inv
                for i in 0..<n {
                    let g = dy + (i * c + ch) * l, d = dx + (i * c + ch) * l
                    for j in 0..<l { d[j] = k * g[j] }
                }
            }
        }
    }
}
