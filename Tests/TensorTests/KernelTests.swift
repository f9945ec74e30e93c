import Foundation
import Testing
@testable import Tensor

/// Kernels against naive reference loops.
@Suite struct KernelTests {
    /// Direct 7-loop convolution.
    static func naiveConv(_ x: [Float], _ w: [Float], _ b: [Float]?, _ g: ConvolutionGeometry) -> [Float] {
        var y = [Float](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
        for n in 0..<g.batch { for o in 0..<g.outChannels { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            var s = b?[o] ?? 0
            for c in 0..<g.inChannels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let iy = oy * g.strideY - g.padY + ky, ix = ox * g.strideX - g.padX + kx
                if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                    s += x[((n * g.inChannels + c) * g.height + iy) * g.width + ix]
                       * w[((o * g.inChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx]
                }
            }}}
            y[((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox] = s
        }}}}
        return y
    }

    /// Naive input and weight gradients by scattering each output's gradient.
    static func naiveConvBackward(_ x: [Float], _ w: [Float], _ dy: [Float], _ g: ConvolutionGeometry) -> ([Float], [Float]) {
        var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: w.count)
        for n in 0..<g.batch { for o in 0..<g.outChannels { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            let d = dy[((n * g.outChannels + o) * g.outHeight + oy) * g.outWidth + ox]
            for c in 0..<g.inChannels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let iy = oy * g.strideY - g.padY + ky, ix = ox * g.strideX - g.padX + kx
                if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width {
                    let xi = ((n * g.inChannels + c) * g.height + iy) * g.width + ix
                    let wi = ((o * g.inChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx
                    dx[xi] += d * w[wi]; dw[wi] += d * x[xi]
                }
            }}}
        }}}}
        return (dx, dw)
    }

    /// Runs a convolution's three passes on seeded random tensors (x, weight, bias, output
    /// gradient from seeds `seed`…`seed + 3`; outputs pre-filled with NaN, so every element must
    /// be written) and checks them against ``naiveConv(_:_:_:_:)`` and
    /// ``naiveConvBackward(_:_:_:_:)``: forward and input gradient within 1e-4, weight gradient
    /// within 1e-3. Returns the output gradient for further checks.
    @discardableResult
    static func expectMatchesNaiveLoops(
        _ g: ConvolutionGeometry, seed: UInt64, _ what: String,
        forward: (_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) -> Void,
        backwardInput: (_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) -> Void,
        backwardWeight: (_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>) -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Tensor {
        let (n, c, o, kh, kw) = (g.batch, g.inChannels, g.outChannels, g.kernelHeight, g.kernelWidth)
        let x = randomTensor([n, c, g.height, g.width], seed: seed), wt = randomTensor([o, c, kh, kw], seed: seed + 1)
        let b = randomTensor([o], seed: seed + 2), dy = randomTensor([n, o, g.outHeight, g.outWidth], seed: seed + 3)
        let y = Tensor(uninitializedShape: dy.shape), dx = Tensor(uninitializedShape: x.shape), dw = Tensor(uninitializedShape: wt.shape)
        for t in [y, dx, dw] { t.pointer.update(repeating: .nan, count: t.count) }
        forward(x.pointer, wt.pointer, b.pointer, y.pointer)
        expectClose(y.scalars, naiveConv(x.scalars, wt.scalars, b.scalars, g), atol: 1e-4, "\(what) forward", sourceLocation: sourceLocation)
        backwardInput(dy.pointer, wt.pointer, dx.pointer)
        backwardWeight(dy.pointer, x.pointer, dw.pointer)
        let (ndx, ndw) = naiveConvBackward(x.scalars, wt.scalars, dy.scalars, g)
        expectClose(dx.scalars, ndx, atol: 1e-4, "\(what) input gradient", sourceLocation: sourceLocation)
        expectClose(dw.scalars, ndw, atol: 1e-3, "\(what) weight gradient", sourceLocation: sourceLocation)
        return dy
    }

    /// im2col against a naive gather, value for value (it only copies): strides 1–3, widths
    /// whose stride-2 rows take the 16-lane path, its tail and its edges, and padding.
    @Test(arguments: [(3, 12, 53, 7, 2, 3), (2, 9, 40, 3, 2, 1), (4, 5, 38, 1, 2, 0), (2, 6, 17, 3, 1, 1),
                      (3, 11, 29, 5, 3, 2), (1, 4, 4, 3, 2, 1)])
    func im2colCopiesThePatches(_ c: Int, _ h: Int, _ w: Int, _ k: Int, _ s: Int, _ p: Int) {
        let g = ConvolutionGeometry(batch: 1, inChannels: c, height: h, width: w, outChannels: 1,
                                    kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p))
        let x = randomTensor([c, h, w], seed: 5)
        let ldc = g.outPlane + 3, offset = 2   // a column block inside a wider matrix
        var col = [Float](repeating: .nan, count: g.patchSize * ldc)
        col.withUnsafeMutableBufferPointer { ConvolutionKernels.im2col(x.pointer, g, $0.baseAddress!, ldc: ldc, offset: offset) }
        let xs = x.scalars
        for ch in 0..<c {
            for ky in 0..<k {
                for kx in 0..<k {
                    let row = (ch * k + ky) * k + kx
                    for oy in 0..<g.outHeight {
                        for ox in 0..<g.outWidth {
                            let iy = oy * s - p + ky, ix = ox * s - p + kx
                            let want: Float = iy >= 0 && iy < h && ix >= 0 && ix < w ? xs[(ch * h + iy) * w + ix] : 0
                            let got = col[row * ldc + offset + oy * g.outWidth + ox]
                            #expect(got == want, "row \(row) at (\(oy), \(ox))")
                        }
                    }
                    // Columns outside the block are untouched.
                    #expect(col[row * ldc].isNaN && col[row * ldc + offset + g.outPlane].isNaN)
                }
            }
        }
    }

    @Test(arguments: [
        // (N, C, H, W, O, K, stride, pad): ResNet's shapes in miniature plus odd ones; the
        // batch of 16 at 7×7 exercises grouping several images per GEMM.
        (2, 3, 16, 16, 8, 7, 2, 3), (16, 8, 7, 7, 8, 3, 1, 1), (5, 6, 14, 14, 12, 3, 2, 1),
        (16, 6, 14, 14, 12, 1, 2, 0), (3, 4, 9, 5, 5, 1, 1, 0), (4, 3, 10, 13, 2, 5, 3, 2),
        (1, 2, 3, 3, 2, 3, 1, 2), (2, 3, 40, 45, 4, 7, 2, 3), (2, 5, 37, 38, 3, 1, 2, 0),
    ])
    func convolutionMatchesNaiveLoops(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int) {
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                    kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p))
        let db = Tensor(uninitializedShape: [o])
        let dy = Self.expectMatchesNaiveLoops(g, seed: 1, "convolution",
            forward: { x, wt, b, y in ConvolutionKernels.forward(x, weight: wt, bias: b, y, g) },
            backwardInput: { dy, wt, dx in ConvolutionKernels.backwardInput(dy, weight: wt, dx, g) },
            backwardWeight: { dy, x, dw in ConvolutionKernels.backwardWeight(dy, x, dweight: dw, dbias: db.pointer, g) })
        let ndb = (0..<o).map { oc in (0..<n).reduce(Float(0)) { acc, i in acc + dy.scalars[(i * o + oc) * g.outPlane ..< (i * o + oc + 1) * g.outPlane].reduce(0, +) } }
        expectClose(db.scalars, ndb, atol: 1e-4, "bias gradient")
    }

    @Test(arguments: [(3, 5, 9, 6, 4), (2, 3, 7, 7, 5), (4, 2, 1, 5, 3), (17, 4, 4, 4, 6), (1, 1, 2, 3, 1)])
    func winogradMatchesNaiveLoops(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int) {
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                    kernelHeight: 3, kernelWidth: 3, stride: (1, 1), padding: (1, 1))
        #expect(WinogradKernels.computes(g))
        Self.expectMatchesNaiveLoops(g, seed: 11, "Winograd",
            forward: { x, wt, b, y in WinogradKernels.forward(x, weight: wt, bias: b, y, g) },
            backwardInput: { dy, wt, dx in WinogradKernels.backwardInput(dy, weight: wt, dx, g) },
            backwardWeight: { dy, x, dw in WinogradKernels.backwardWeight(dy, x, dweight: dw, g) })
    }

    @Test func gemmMatchesNaiveProductInEveryLayout() {
        for (m, n, k) in [(3, 4, 5), (70, 300, 130), (300, 33, 200)] {
            for ta in [false, true] { for tb in [false, true] {
                let a = randomTensor([m * k], seed: 5).scalars, b = randomTensor([k * n], seed: 6).scalars
                var c = randomTensor([m * n], seed: 7).scalars
                let c0 = c
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.sgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: ta ? m : k,
                               b: bp.baseAddress!, ldb: tb ? k : n, beta: 2, c: cp.baseAddress!, ldc: n)
                }}}
                var expected = [Float](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n {
                    var s: Float = 0
                    for l in 0..<k { s += (ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]) }
                    expected[i * n + j] = 0.5 * s + 2 * c0[i * n + j]
                }}
                expectClose(c, expected, atol: 1e-3, "sgemm \(m)×\(n)×\(k) tA=\(ta) tB=\(tb)")
            }}
        }
    }

    /// The Double GEMM against a naive loop, every transpose, beta 0 and 1, and k = 0 (C = beta·C).
    /// Inputs are small integers, so every product and sum is exact in Double: the results must be equal.
    @Test func dgemmMatchesNaiveLoops() {
        var g = RandomGenerator(seed: 12)
        for (m, n, k) in [(7, 5, 9), (1, 17, 3), (33, 2, 64), (4, 4, 0)] {
            for ta in [false, true] { for tb in [false, true] { for beta in [0.0, 1.0] {
                let a = (0..<(m * k)).map { _ in Double(g.int(below: 9)) - 4 }, b = (0..<(k * n)).map { _ in Double(g.int(below: 9)) - 4 }
                let c0 = (0..<(m * n)).map { _ in Double(g.int(below: 5)) }
                var c = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    if let ab = ap.baseAddress, let bb = bp.baseAddress {
                        GEMM.dgemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, a: ab, lda: max(1, ta ? m : k),
                                   b: bb, ldb: max(1, tb ? k : n), beta: beta, c: cp.baseAddress!, ldc: n)
                    } else {
                        let none = [0.0]
                        none.withUnsafeBufferPointer { z in
                            GEMM.dgemm(m: m, n: n, k: 0, a: z.baseAddress!, lda: 1, b: z.baseAddress!, ldb: 1, beta: beta, c: cp.baseAddress!, ldc: n)
                        }
                    }
                }}}
                var expected = [Double](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n {
                    var s = 0.0
                    for l in 0..<k { s += (ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]) }
                    expected[i * n + j] = s + beta * c0[i * n + j]
                }}
                #expect(c == expected, "dgemm \(m)×\(n)×\(k) tA=\(ta) tB=\(tb) beta=\(beta)")
            }}}
        }
    }

    @Test func maxAndAveragePoolingMatchNaiveLoops() {
        let x = randomTensor([2, 3, 9, 8], seed: 8)
        let (k, s, p) = (3, 2, 1)
        let mp = x.maxPool2d(kernel: (k, k), stride: (s, s), padding: (p, p))
        let ap = x.avgPool2d(kernel: (k, k), stride: (s, s), padding: (p, p))
        let oh = (9 + 2 * p - k) / s + 1, ow = (8 + 2 * p - k) / s + 1
        #expect(mp.shape == [2, 3, oh, ow])
        var em = [Float](), ea = [Float]()
        for pl in 0..<6 { for oy in 0..<oh { for ox in 0..<ow {
            var m = -Float.infinity, a: Float = 0
            for ky in 0..<k { for kx in 0..<k {
                let iy = oy * s - p + ky, ix = ox * s - p + kx
                if iy >= 0 && iy < 9 && ix >= 0 && ix < 8 { let v = x.scalars[pl * 72 + iy * 8 + ix]; m = max(m, v); a += v }
            }}
            em.append(m); ea.append(a / Float(k * k))
        }}}
        expectClose(mp.scalars, em, "max pool")
        expectClose(ap.scalars, ea, "avg pool (count_include_pad)")
    }

    @Test func elementwiseAndReductionsMatchLoops() {
        let big = randomTensor([3, 70_000], seed: 9)   // large enough to run in parallel
        let row = randomTensor([70_000], seed: 10)
        let sum = big + row
        let expected = (0..<big.count).map { big.scalars[$0] + row.scalars[$0 % 70_000] }
        expectClose(sum.scalars, expected, "row broadcast add")
        let colSums = big.sum(alongAxes: [0]).scalars
        expectClose(colSums, (0..<70_000).map { big.scalars[$0] + big.scalars[70_000 + $0] + big.scalars[140_000 + $0] }, "axis-0 sum")
        #expect(abs(big.sum().scalar - big.scalars.reduce(0, +)) < 1)
    }

    @Test func softmaxMatchesTheNaiveFormulaAndStaysFiniteOnLargeLogits() {
        let logits = Tensor(shape: [3, 4], scalars: [1, 2, 3, 4, -1, 0, 0, 1, 1000, 1001, 999, -1000])
        let p = softmax(logits).scalars
        for i in 0..<2 {
            let row = (0..<4).map { Double(logits.scalars[i * 4 + $0]) }
            let z = row.map { Foundation.exp($0) }.reduce(0, +)
            expectClose((0..<4).map { p[i * 4 + $0] }, row.map { Float(Foundation.exp($0) / z) }, "row \(i)")
        }
        // Row 2 would overflow exp without the max subtracted: e^0, e^1, e^-1 over their sum.
        let z = 1 + Foundation.exp(1.0) + Foundation.exp(-1.0)
        expectClose(Array(p[8..<12]), [Float(1 / z), Float(Foundation.exp(1.0) / z), Float(Foundation.exp(-1.0) / z), 0], "large logits")
        #expect(p.allSatisfy { $0.isFinite })
    }
}
