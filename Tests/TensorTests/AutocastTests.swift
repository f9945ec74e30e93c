import CBFloat16
import Testing
@testable import Tensor

/// Mixed precision (issue 35): the FP32-interface bf16 product (`GEMM` in ``Precision/bf16``),
/// every convolution path and the linear layer under ``withAutocast(_:_:)``, each against a
/// Double reference with a bound derived from the arithmetic — never a tolerance picked to pass.
///
/// γ_n = n·u/(1 − n·u), u = 2⁻²⁴, bounds a sum of n terms accumulated in Float (Higham, theorem
/// 3.1); the products of bf16 operands are exact in Float, so an im2col path's error against
/// the exact product of the *rounded* operands is at most γ_n·Σ|a·b|. Winograd rounds the
/// *transformed* operands, so its reference is the exact product of the unrounded ones and its
/// bound carries the rounding, 2⁻⁸ per operand, through the transforms (``WinogradBound``).
@Suite struct AutocastTests {
    static func gamma(_ n: Int) -> Double { let u = 0x1p-24; return Double(n) * u / (1 - Double(n) * u) }

    /// `values` rounded to bf16, as Double.
    static func rounded(_ values: [Float]) -> [Double] { BFloat16.widen(BFloat16.round(values)).map(Double.init) }

    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { _ in g.normal() }
    }

    // MARK: The product

    /// C (+)= op(A)·op(B) through `fs_bf16_sgemm`'s emulation, every transpose, shapes that cross
    /// its 256-row and 512-column panels of B, odd k, and C with a row stride of its own.
    @Test(arguments: [(7, 530, 300), (33, 40, 513), (5, 17, 1), (64, 600, 257)])
    func productIsWithinItsBound(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2
            let a = Self.random((ta ? k : m) * lda, seed: 1), b = Self.random((tb ? n : k) * ldb, seed: 2)
            let ra = Self.rounded(a), rb = Self.rounded(b)
            for accumulate in [false, true] {
                let start = Self.random(m * ldc, seed: 3)
                var c = start
                let status = fs_bf16_sgemm(0, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, accumulate ? 1 : 0, &c, ldc)
                #expect(status == 0)
                var worst = 0.0
                for i in 0..<m { for j in 0..<n {
                    var exact = accumulate ? Double(start[i * ldc + j]) : 0, magnitude = abs(exact)
                    for l in 0..<k {
                        let p = ra[ta ? l * lda + i : i * lda + l] * rb[tb ? j * ldb + l : l * ldb + j]
                        exact += p; magnitude += abs(p)
                    }
                    worst = max(worst, abs(Double(c[i * ldc + j]) - exact) / (Self.gamma(k + 1) * magnitude))
                }}
                #expect(worst <= 1, "\(m)×\(n)×\(k) transposes \(ta) \(tb) accumulate \(accumulate): error \(worst) of the bound")
                // Columns past n untouched.
                #expect((0..<m).allSatisfy { i in c[i * ldc + n] == start[i * ldc + n] && c[i * ldc + n + 1] == start[i * ldc + n + 1] })
            }
        }
    }

    /// On a CPU with AVX512_BF16: the VDPBF16PS kernel and the vectorised packers give the
    /// emulation's bits exactly, through `GEMM` (split over the threads, or with A rounded once
    /// beforehand) as through the C entry point on one thread.
    @Test(.enabled(if: BFloat16.hardware), arguments: [(7, 530, 300), (33, 40, 513), (130, 1000, 70), (64, 600, 257)])
    func hardwareAndEverySplitGiveTheEmulationsBits(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let lda = ta ? m : k, ldb = tb ? k : n
            let a = Self.random(m * k, seed: 4), b = Self.random(k * n, seed: 5)
            var emulated = [Float](repeating: 0, count: m * n), hardware = emulated, viaGEMM = emulated, preRounded = emulated
            fs_bf16_sgemm(0, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, 0, &emulated, n)
            fs_bf16_sgemm(1, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, 0, &hardware, n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                guard let ab = ap.baseAddress, let bb = bp.baseAddress else { return }
                viaGEMM.withUnsafeMutableBufferPointer { cp in
                    guard let cb = cp.baseAddress else { return }
                    GEMM.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: ab, lda: lda, b: bb, ldb: ldb, c: cb, ldc: n, precision: .bf16)
                }
                BFloat16.withRounded(.bf16, transposed: ta, m: m, k: k, lda: lda, matrix: { _ in ab }) { a16 in
                    preRounded.withUnsafeMutableBufferPointer { cp in
                        guard let cb = cp.baseAddress else { return }
                        GEMM.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: ab, lda: lda, b: bb, ldb: ldb, c: cb, ldc: n,
                                   precision: .bf16, roundedA: a16)
                    }
                }
            } }
            #expect(hardware == emulated, "\(m)×\(n)×\(k) transposes \(ta) \(tb): hardware")
            #expect(viaGEMM == emulated, "\(m)×\(n)×\(k) transposes \(ta) \(tb): GEMM")
            #expect(preRounded == emulated, "\(m)×\(n)×\(k) transposes \(ta) \(tb): A rounded beforehand")
        }
    }

    // MARK: Convolutions on the im2col paths

    /// The exact convolution of `x` and `w` in Double, its input and weight gradients for `dy`,
    /// and the sums of the magnitudes of their terms.
    struct Exact {
        var y: [Double], yMagnitude: [Double]
        var dx: [Double], dxMagnitude: [Double]
        var dw: [Double], dwMagnitude: [Double]

        init(_ g: ConvolutionGeometry, x: [Double], w: [Double], dy: [Double]) {
            let (n, c, h, wd, o, kh, kw) = (g.batch, g.inChannels, g.height, g.width, g.outChannels, g.kernelHeight, g.kernelWidth)
            let (oh, ow) = (g.outHeight, g.outWidth)
            y = Array(repeating: 0, count: n * o * oh * ow); yMagnitude = y
            dx = Array(repeating: 0, count: x.count); dxMagnitude = dx
            dw = Array(repeating: 0, count: w.count); dwMagnitude = dw
            for b in 0..<n { for oc in 0..<o { for oy in 0..<oh { for ox in 0..<ow {
                let yi = ((b * o + oc) * oh + oy) * ow + ox
                for ic in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
                    let iy = oy * g.strideY - g.padY + ky, ix = ox * g.strideX - g.padX + kx
                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                    let xi = ((b * c + ic) * h + iy) * wd + ix, wi = ((oc * c + ic) * kh + ky) * kw + kx
                    y[yi] += w[wi] * x[xi]; yMagnitude[yi] += abs(w[wi] * x[xi])
                    dx[xi] += w[wi] * dy[yi]; dxMagnitude[xi] += abs(w[wi] * dy[yi])
                    dw[wi] += dy[yi] * x[xi]; dwMagnitude[wi] += abs(dy[yi] * x[xi])
                }}}
            }}}}
        }
    }

    /// Runs the three passes of `g` (its precision) through `ConvolutionKernels`.
    static func passes(_ g: ConvolutionGeometry, x: [Float], w: [Float], dy: [Float]) -> (y: [Float], dx: [Float], dw: [Float]) {
        var y = [Float](repeating: .nan, count: dy.count), dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { dyp in
            guard let xb = xp.baseAddress, let wb = wp.baseAddress, let dyb = dyp.baseAddress else { return }
            y.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { ConvolutionKernels.forward(xb, weight: wb, bias: nil, p, g) } }
            dx.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { ConvolutionKernels.backwardInput(dyb, weight: wb, p, g) } }
            dw.withUnsafeMutableBufferPointer { if let p = $0.baseAddress { ConvolutionKernels.backwardWeight(dyb, xb, dweight: p, dbias: nil, g) } }
        } } }
        return (y, dx, dw)
    }

    /// Largest error as a share of its bound (≤ 1 passes).
    static func worst(_ got: [Float], _ exact: [Double], _ magnitude: [Double], gamma: Double) -> Double {
        zip(got, zip(exact, magnitude)).map { abs(Double($0) - $1.0) / max(gamma * $1.1, .leastNormalMagnitude) }.max() ?? 0
    }

    /// (batch, in, out, side, kernel, stride, padding): grouped (small maps), image-parallel
    /// (larger ones, 5×5 and 7×7 kernels, a patch of 147 rows), pointwise, and a patch of 360
    /// rows that crosses the 256-row panel.
    static let im2colShapes = [(2, 5, 7, 8, 3, 2, 1), (2, 4, 6, 16, 3, 2, 1), (1, 20, 9, 8, 1, 1, 0),
                               (2, 3, 4, 10, 5, 1, 2), (2, 3, 8, 20, 7, 2, 3), (2, 40, 6, 8, 3, 2, 1)]

    /// Each pass against the exact result of the bf16-rounded operands: the forward sums K =
    /// C·KH·KW products per output (γ_K); the input gradient sums O per column-matrix entry,
    /// then col2im adds at most KH·KW of those (γ_{O+KH·KW}); the weight gradient sums N·OH·OW
    /// per entry, in at most one chunk per thread added at the end (γ_{N·OH·OW+16}). The FP32
    /// passes miss the same reference by more than the bound: the operands really are rounded.
    @Test(arguments: 0..<6) func im2colPathsAreWithinTheirBounds(_ i: Int) {
        let (n, c, o, side, k, s, p) = Self.im2colShapes[i]
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: side, width: side, outChannels: o,
                                    kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p), precision: .bf16)
        let plan = ConvolutionPlan(g)
        #expect(plan.forward.winogradTile == nil && plan.description.hasSuffix("bf16"))
        let x = Self.random(n * c * side * side, seed: 10), w = Self.random(o * c * k * k, seed: 11)
        let dy = Self.random(n * o * g.outPlane, seed: 12)
        let exact = Exact(g, x: Self.rounded(x), w: Self.rounded(w), dy: Self.rounded(dy))
        let got = Self.passes(g, x: x, w: w, dy: dy)
        let bounds = (Self.gamma(g.patchSize), Self.gamma(o + k * k), Self.gamma(n * g.outPlane + 16))
        let what = "\(g.kernelHeight)×\(g.kernelWidth)/\(s) \(c)→\(o) at \(side)×\(side), \(plan)"
        #expect(Self.worst(got.y, exact.y, exact.yMagnitude, gamma: bounds.0) <= 1, "forward, \(what)")
        #expect(Self.worst(got.dx, exact.dx, exact.dxMagnitude, gamma: bounds.1) <= 1, "input gradient, \(what)")
        #expect(Self.worst(got.dw, exact.dw, exact.dwMagnitude, gamma: bounds.2) <= 1, "weight gradient, \(what)")
        var fp32 = g
        fp32.precision = .fp32
        let single = Self.passes(fp32, x: x, w: w, dy: dy)
        #expect(Self.worst(single.y, exact.y, exact.yMagnitude, gamma: bounds.0) > 1, "FP32 forward as close as bf16, \(what)")
    }

    // MARK: Winograd F(2×2, 3×3)

    /// The bound of Winograd F(2×2, 3×3) with bf16-rounded transforms (Lavin's G, Bᵀ, Aᵀ, as
    /// `WinogradKernels`; tiles start at input row and column −1). Each transformed operand is
    /// the Float transform (error ≤ γ₄ of |G||g||G|ᵀ, resp. |Bᵀ||d||B|) rounded to bf16 (2⁻⁸
    /// of itself); a product of two is then off by at most (2·2⁻⁸ + 2⁻¹⁶ + 4γ₄) of the product
    /// of those magnitudes, the Float sum over C adds γ_C and the output transform γ₄. So
    /// |ŷ − y| ≤ f · |Aᵀ|(Σ_c Ū ⊙ V̄)|A| with f = 2⁻⁷ + 2⁻¹⁵ + 1.1·(C + 8)·u.
    enum WinogradBound {
        static let g: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        static let bt: [[Double]] = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
        static let at: [[Double]] = [[1, 1, 1, 0], [0, 1, -1, -1]]

        static func factor(sum: Int) -> Double { 0x1p-7 + 0x1p-15 + 1.1 * Double(sum + 8) * 0x1p-24 }

        /// |G||w||G|ᵀ for each (o, c): [O][C][16].
        static func weights(_ w: [Float], o: Int, c: Int) -> [Double] {
            var out = [Double](repeating: 0, count: o * c * 16)
            for oc in 0..<(o * c) { for i in 0..<4 { for j in 0..<4 {
                var s = 0.0
                for a in 0..<3 { for b in 0..<3 { s += abs(g[i][a]) * abs(Double(w[oc * 9 + a * 3 + b])) * abs(g[j][b]) } }
                out[oc * 16 + i * 4 + j] = s
            }}}
            return out
        }

        /// |Bᵀ||d||B| of every 4×4 input tile (zero outside the map): [N][C][tiles][16].
        static func inputs(_ x: [Float], n: Int, c: Int, side: Int) -> [Double] {
            let t = side / 2
            var out = [Double](repeating: 0, count: n * c * t * t * 16)
            for plane in 0..<(n * c) { for ty in 0..<t { for tx in 0..<t { for i in 0..<4 { for j in 0..<4 {
                var s = 0.0
                for a in 0..<4 { for b in 0..<4 {
                    let iy = 2 * ty - 1 + a, ix = 2 * tx - 1 + b
                    guard iy >= 0, iy < side, ix >= 0, ix < side else { continue }
                    s += abs(bt[i][a]) * abs(Double(x[(plane * side + iy) * side + ix])) * abs(bt[j][b])
                }}
                out[((plane * t + ty) * t + tx) * 16 + i * 4 + j] = s
            }}}}}
            return out
        }

        /// |Aᵀ|(Σ_c Ū ⊙ V̄)|A| for every output: [N][O][side][side].
        static func outputs(x: [Float], w: [Float], n: Int, c: Int, o: Int, side: Int) -> [Double] {
            let u = weights(w, o: o, c: c), v = inputs(x, n: n, c: c, side: side), t = side / 2
            var out = [Double](repeating: 0, count: n * o * side * side)
            for b in 0..<n { for oc in 0..<o { for ty in 0..<t { for tx in 0..<t {
                var m = [Double](repeating: 0, count: 16)
                for ic in 0..<c { for e in 0..<16 { m[e] += u[(oc * c + ic) * 16 + e] * v[(((b * c + ic) * t + ty) * t + tx) * 16 + e] } }
                for r in 0..<2 { for s in 0..<2 {
                    var sum = 0.0
                    for i in 0..<4 { for j in 0..<4 { sum += abs(at[r][i]) * abs(at[s][j]) * m[i * 4 + j] } }
                    out[((b * o + oc) * side + 2 * ty + r) * side + 2 * tx + s] = sum
                }}
            }}}}
            return out
        }

        /// The weight gradient's: Σ_{ij} |G_{i,ky}||G_{j,kx}| Σ_{n,tiles} D̄ ⊙ V̄, with D̄ = |A||dy tile||Aᵀ|: [O][C][3][3].
        static func weightGradient(x: [Float], dy: [Float], n: Int, c: Int, o: Int, side: Int) -> [Double] {
            let v = inputs(x, n: n, c: c, side: side), t = side / 2
            var d = [Double](repeating: 0, count: n * o * t * t * 16)
            for plane in 0..<(n * o) { for ty in 0..<t { for tx in 0..<t { for i in 0..<4 { for j in 0..<4 {
                var s = 0.0
                for r in 0..<2 { for q in 0..<2 { s += abs(at[r][i]) * abs(Double(dy[(plane * side + 2 * ty + r) * side + 2 * tx + q])) * abs(at[q][j]) } }
                d[((plane * t + ty) * t + tx) * 16 + i * 4 + j] = s
            }}}}}
            var out = [Double](repeating: 0, count: o * c * 9)
            for oc in 0..<o { for ic in 0..<c {
                var du = [Double](repeating: 0, count: 16)
                for b in 0..<n { for tile in 0..<(t * t) { for e in 0..<16 {
                    du[e] += d[((b * o + oc) * t * t + tile) * 16 + e] * v[((b * c + ic) * t * t + tile) * 16 + e]
                }}}
                for ky in 0..<3 { for kx in 0..<3 {
                    var s = 0.0
                    for i in 0..<4 { for j in 0..<4 { s += abs(g[i][ky]) * abs(g[j][kx]) * du[i * 4 + j] } }
                    out[(oc * c + ic) * 9 + ky * 3 + kx] = s
                }}
            }}
            return out
        }
    }

    /// 3×3 stride-1 convolutions (which would take F(4×4) in FP32 where it wins) run F(2×2) in
    /// bf16, every pass within ``WinogradBound`` of the exact convolution of the unrounded
    /// operands; the input gradient is the forward of the flipped, transposed kernels, whose
    /// transform is the forward's permuted, so the same bound applies to it.
    @Test(arguments: [(2, 8, 6, 8), (1, 32, 32, 6), (2, 64, 16, 12)])
    func winogradIsF2x2AndWithinItsBound(_ shape: (Int, Int, Int, Int)) {
        let (n, c, o, side) = shape
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: side, width: side, outChannels: o,
                                    kernelHeight: 3, kernelWidth: 3, padding: (1, 1), precision: .bf16)
        let plan = ConvolutionPlan(g, algorithm: .automatic)
        #expect(plan.forward == .winogradF2 && plan.inputGradient == .winogradF2 && plan.weightGradient == .winogradF2)
        #expect(ConvolutionPlan(g, algorithm: .winograd4x4).forward == .winogradF2)
        guard ConvolutionPlanner.algorithm == .automatic, ConvolutionPlanner.kernels == .current else { return }
        let x = Self.random(n * c * side * side, seed: 20), w = Self.random(o * c * 9, seed: 21), dy = Self.random(n * o * side * side, seed: 22)
        let exact = Exact(g, x: x.map(Double.init), w: w.map(Double.init), dy: dy.map(Double.init))
        let got = Self.passes(g, x: x, w: w, dy: dy)
        // The input gradient's kernels: flipped, in and out channels swapped.
        var flipped = [Float](repeating: 0, count: w.count)
        for oc in 0..<o { for ic in 0..<c { for t in 0..<9 { flipped[(ic * o + oc) * 9 + 8 - t] = w[(oc * c + ic) * 9 + t] } } }
        let forwardBound = WinogradBound.outputs(x: x, w: w, n: n, c: c, o: o, side: side)
        let inputBound = WinogradBound.outputs(x: dy, w: flipped, n: n, c: o, o: c, side: side)
        let weightBound = WinogradBound.weightGradient(x: x, dy: dy, n: n, c: c, o: o, side: side)
        let tiles = n * (side / 2) * (side / 2)
        func worst(_ got: [Float], _ exact: [Double], _ bound: [Double], _ f: Double) -> Double {
            zip(got, zip(exact, bound)).map { abs(Double($0) - $1.0) / max(f * $1.1, .leastNormalMagnitude) }.max() ?? 0
        }
        #expect(worst(got.y, exact.y, forwardBound, WinogradBound.factor(sum: c)) <= 1, "forward \(shape)")
        #expect(worst(got.dx, exact.dx, inputBound, WinogradBound.factor(sum: o)) <= 1, "input gradient \(shape)")
        #expect(worst(got.dw, exact.dw, weightBound, WinogradBound.factor(sum: tiles)) <= 1, "weight gradient \(shape)")
    }

    // MARK: The ops under autocast

    /// `conv2d` and `linear` record the precision in force at their forward pass: a backward
    /// run after the autocast block still computes in bf16 — the same bits as the bf16 kernels
    /// called directly — while the same ops outside the block stay FP32, bit for bit.
    @Test func opsKeepTheirForwardsPrecisionForBackward() {
        let x = randomTensor([2, 4, 9, 9], seed: 30).requiringGrad(), w = randomTensor([6, 4, 3, 3], seed: 31).requiringGrad()
        let y = withAutocast(.bf16) { conv2d(x, weight: w, stride: (2, 2), padding: (1, 1)) }
        #expect(Autocast.precision == .fp32)
        let dy = randomTensor(y.shape, seed: 32)
        (y * dy).sum().backward()
        let g = ConvolutionGeometry(batch: 2, inChannels: 4, height: 9, width: 9, outChannels: 6, kernelHeight: 3, kernelWidth: 3,
                                    stride: (2, 2), padding: (1, 1), precision: .bf16)
        let direct = Self.passes(g, x: x.scalars, w: w.scalars, dy: dy.scalars)
        #expect(y.scalars == direct.y && x.grad?.scalars == direct.dx && w.grad?.scalars == direct.dw)
        var single = g
        single.precision = .fp32
        let fp32 = Self.passes(single, x: x.scalars, w: w.scalars, dy: dy.scalars)
        #expect(conv2d(x.detached(), weight: w.detached(), stride: (2, 2), padding: (1, 1)).scalars == fp32.y)
        #expect(fp32.y != direct.y)

        // linear: forward, input and weight gradients against the rounded operands' exact products.
        let a = randomTensor([5, 40], seed: 33).requiringGrad(), lw = randomTensor([7, 40], seed: 34).requiringGrad()
        let out = withAutocast(.bf16) { linear(a, weight: lw, bias: nil) }
        let dOut = randomTensor([5, 7], seed: 35)
        (out * dOut).sum().backward()
        let ra = Self.rounded(a.scalars), rw = Self.rounded(lw.scalars), rd = Self.rounded(dOut.scalars)
        for i in 0..<5 { for j in 0..<7 {
            var exact = 0.0, magnitude = 0.0
            for l in 0..<40 { exact += ra[i * 40 + l] * rw[j * 40 + l]; magnitude += abs(ra[i * 40 + l] * rw[j * 40 + l]) }
            #expect(abs(Double(out.scalars[i * 7 + j]) - exact) <= Self.gamma(40) * magnitude)
        }}
        for i in 0..<5 { for l in 0..<40 {   // dA = dOut · W
            var exact = 0.0, magnitude = 0.0
            for j in 0..<7 { exact += rd[i * 7 + j] * rw[j * 40 + l]; magnitude += abs(rd[i * 7 + j] * rw[j * 40 + l]) }
            #expect(abs(Double(a.grad?.scalars[i * 40 + l] ?? .nan) - exact) <= Self.gamma(7) * magnitude)
        }}
        for j in 0..<7 { for l in 0..<40 {   // dW = dOutᵀ · A
            var exact = 0.0, magnitude = 0.0
            for i in 0..<5 { exact += rd[i * 7 + j] * ra[i * 40 + l]; magnitude += abs(rd[i * 7 + j] * ra[i * 40 + l]) }
            #expect(abs(Double(lw.grad?.scalars[j * 40 + l] ?? .nan) - exact) <= Self.gamma(5) * magnitude)
        }}
    }

    /// The innermost block wins, and the precision is back to the process's after it.
    @Test func autocastNests() {
        #expect(Autocast.precision == .fp32)
        withAutocast(.bf16) {
            #expect(Autocast.precision == .bf16)
            withAutocast(.fp32) { #expect(Autocast.precision == .fp32) }
            #expect(Autocast.precision == .bf16)
        }
        #expect(Autocast.precision == .fp32)
        #expect(Precision.fp32.unavailableReason == nil)
        #expect((Precision.bf16.unavailableReason == nil) == BFloat16.hardware)
    }
}
