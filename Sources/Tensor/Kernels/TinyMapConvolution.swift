import CBFloat16

/// Stride-1 "same" convolutions on maps so small that every output pixel sees every input
/// pixel — a 3×3 convolution padded by 1 on maps of at most 2×2 (ResNet-18's layer4 on 28- and
/// 32-pixel images) — as one dense GEMM per pass, with no transform and no column matrix.
///
/// With P = H·W pixels, an image's C·P input values (NCHW, as they lie) map to its O·P outputs
/// through a dense matrix D, (C·P) × (O·P), whose entry ((c, q), (o, p)) is the tap of `W[o, c]`
/// joining input pixel q to output pixel p. The forward computes `Yᵀ = Dᵀ · Xᵀ`, the input
/// gradient `dXᵀ = D · dYᵀ` — the dense matrix as the GEMM's left operand, which in bf16 is
/// written rounded straight from the weights (no Float copy of it) — and the weight gradient
/// `dDᵀ = dYᵀ · X`, folded back onto the taps (each tap sums the pixel pairs it joins, in a fixed
/// order). On 2×2 maps that is 16 products per (c, o) and image, as many as Winograd F(2×2)'s
/// one tile, in one GEMM of K = 4·C instead of sixteen of K = C with their transforms.
enum TinyMapConvolution {
    /// The dense matrices' own pool: at 512 channels each is 8–16 MiB, which in the shared pool
    /// would be dropped and faulted in again (thousands of pages) between uses.
    static let workspace = Workspace()

    /// Whether `g` is such a convolution: stride 1, the output the input's size, and every input
    /// pixel within the kernel's reach of every output pixel.
    static func computes(_ g: ConvolutionGeometry) -> Bool {
        g.strideY == 1 && g.strideX == 1 && g.height > 0 && g.width > 0
            && g.outHeight == g.height && g.outWidth == g.width
            && g.height - 1 <= min(g.padY, g.kernelHeight - 1 - g.padY)
            && g.width - 1 <= min(g.padX, g.kernelWidth - 1 - g.padX)
    }

    /// The taps of the kernel (offsets into one `KH × KW` kernel) joining input pixel q to
    /// output pixel p, at `q · P + p`.
    static func taps(_ g: ConvolutionGeometry) -> [Int] {
        let w = g.width, pp = g.height * w
        return (0..<(pp * pp)).map { i in
            let q = i / pp, p = i % pp
            return (q / w - p / w + g.padY) * g.kernelWidth + (q % w - p % w + g.padX)
        }
    }

    /// Dᵀ, (O·P) × (C·P): row (o, p) holds `W[o, c, tap(q, p)]` at column (c, q). One task per
    /// output channel reads its kernels once, in order.
    static func transposedDense(_ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry, into d: UnsafeMutablePointer<Float>) {
        let c = g.inChannels, o = g.outChannels, pp = g.height * g.width, kk = g.kernelHeight * g.kernelWidth
        let taps = taps(g)
        Threading.parallelFor(o, minimumGrain: max(1, 16384 / max(1, c * pp * pp))) { oc in
            let kernels = weight + oc * c * kk
            for p in 0..<pp {
                let row = d + (oc * pp + p) * c * pp
                for ic in 0..<c { for q in 0..<pp { row[ic * pp + q] = kernels[ic * kk + taps[q * pp + p]] } }
            }
        }
    }

    /// D, (C·P) × (O·P): row (c, q) holds `W[o, c, tap(q, p)]` at column (o, p). One task per
    /// block of 8 input channels, which reads each output channel's 8 kernels as one run.
    static func dense(_ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry, into d: UnsafeMutablePointer<Float>) {
        let c = g.inChannels, o = g.outChannels, pp = g.height * g.width, kk = g.kernelHeight * g.kernelWidth
        let taps = taps(g), block = 8
        Threading.parallelFor((c + block - 1) / block) { b in
            let c0 = b * block, c1 = min(c, c0 + block)
            for oc in 0..<o {
                for ic in c0..<c1 {
                    let kernel = weight + (oc * c + ic) * kk
                    for q in 0..<pp {
                        let out = d + (ic * pp + q) * o * pp + oc * pp
                        for p in 0..<pp { out[p] = kernel[taps[q * pp + p]] }
                    }
                }
            }
        }
    }

    /// D (or with `transposed` Dᵀ) rounded to bf16, `fs_bf16_dense_taps` over the threads.
    static func roundedDense(_ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry, transposed: Bool,
                             into d: UnsafeMutablePointer<UInt16>) {
        let c = g.inChannels, o = g.outChannels, pp = g.height * g.width, kk = g.kernelHeight * g.kernelWidth
        let rows = (transposed ? o : c) * pp, vector: Int32 = BFloat16.hardware ? 1 : 0
        taps(g).map { Int32($0) }.withUnsafeBufferPointer { taps in
            Threading.parallelRanges(rows, minimumGrain: max(1, 16384 / max(1, (transposed ? c : o) * pp))) { range in
                fs_bf16_dense_taps(vector, weight, o, c, kk, pp, taps.baseAddress, transposed ? 1 : 0, range.lowerBound, range.upperBound, d)
            }
        }
    }

    /// `C = A · op(B)` with A the dense matrix D (or with `transposed` Dᵀ) — Float in FP32,
    /// rounded in bf16 — and C (m × n) into `c`.
    static func denseProduct(_ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry, transposed: Bool, m: Int, n: Int, k: Int,
                             b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>) {
        let floats = g.precision == .bf16 ? (m * k + 1) / 2 : m * k
        workspace.withBuffer(floats) { a in
            if g.precision == .bf16 {
                UnsafeMutableRawPointer(a).withMemoryRebound(to: UInt16.self, capacity: m * k) { a16 in
                    roundedDense(weight, g, transposed: transposed, into: a16)
                    GEMM.sgemm(transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: ldb, c: c, ldc: n,
                               precision: .bf16, roundedA: UnsafePointer(a16))
                }
            } else {
                if transposed { transposedDense(weight, g, into: a) } else { dense(weight, g, into: a) }
                GEMM.sgemm(transposeB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: ldb, c: c, ldc: n)
            }
        }
    }

    /// `y = relu?(conv(x) + bias + residual?)`.
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue) {
        let c = g.inChannels, o = g.outChannels, pp = g.height * g.width, n = g.batch
        Workspace.shared.withBuffer(o * pp * n) { yt in
            // Yᵀ (O·P × N) = Dᵀ · Xᵀ.
            denseProduct(weight, g, transposed: true, m: o * pp, n: n, k: c * pp, b: x, ldb: c * pp, c: yt)
            Threading.parallelFor(n, minimumGrain: max(1, 4096 / max(1, o * pp))) { image in
                let at = image * o * pp
                for row in 0..<(o * pp) {
                    y[at + row] = epilogue.finish(yt[row * n + image] + (bias?[row / pp] ?? 0), at: at + row)
                }
            }
        }
    }

    /// `dx = convᵀ(dy)`, overwriting `dx`.
    static func backwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                              _ g: ConvolutionGeometry) {
        let c = g.inChannels, o = g.outChannels, pp = g.height * g.width, n = g.batch
        Workspace.shared.withBuffer(c * pp * n) { dxt in
            // dXᵀ (C·P × N) = D · dYᵀ.
            denseProduct(weight, g, transposed: false, m: c * pp, n: n, k: o * pp, b: dy, ldb: o * pp, c: dxt)
            Threading.parallelFor(n, minimumGrain: max(1, 4096 / max(1, c * pp))) { image in
                let at = image * c * pp
                for row in 0..<(c * pp) { dx[at + row] = dxt[row * n + image] }
            }
        }
    }

    /// `dweight = Σ dy ⊗ x` over the batch, overwriting `dweight` (taps no pixel pair uses are 0).
    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                               _ g: ConvolutionGeometry) {
        let c = g.inChannels, o = g.outChannels, pp = g.height * g.width, kk = g.kernelHeight * g.kernelWidth
        let taps = taps(g)
        workspace.withBuffer(c * pp * o * pp) { db in
            // dDᵀ (O·P × C·P) = dYᵀ · X, so that each output channel's rows lie together.
            GEMM.sgemm(transposeA: true, m: o * pp, n: c * pp, k: g.batch, a: dy, lda: o * pp, b: x, ldb: c * pp,
                       c: db, ldc: c * pp, precision: g.precision)
            // Fold: each (o, c) kernel sums its pixel pairs, output pixel then input pixel in order.
            Threading.parallelFor(o, minimumGrain: max(1, 16384 / max(1, c * pp * pp))) { oc in
                let kernels = dweight + oc * c * kk
                kernels.update(repeating: 0, count: c * kk)
                for p in 0..<pp {
                    let row = db + (oc * pp + p) * c * pp
                    for ic in 0..<c { for q in 0..<pp { kernels[ic * kk + taps[q * pp + p]] += row[ic * pp + q] } }
                }
            }
        }
    }
}
