import Foundation
import Testing
@testable import Tensor

/// Winograd F(4×4, 3×3) against naive loops: the three passes on maps that are and are not
/// whole tiles, stream lengths that are and are not multiples of the eight lanes; its rounding
/// against a double-precision direct convolution at ResNet-like channel counts; its transforms
/// against their scalar definitions.
@Suite struct WinogradF4Tests {
    static func geometry(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                            kernelHeight: 3, kernelWidth: 3, stride: (1, 1), padding: (1, 1))
    }

    @Test(arguments: [(3, 5, 9, 6, 4), (2, 3, 7, 7, 5), (4, 2, 1, 5, 3), (17, 4, 4, 4, 6), (1, 1, 2, 3, 1), (2, 6, 8, 16, 9), (1, 3, 13, 11, 2), (1, 2, 5, 32, 3), (2, 3, 9, 33, 4), (1, 2, 6, 57, 3)])
    func matchesNaiveLoops(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int) {
        let g = Self.geometry(n, c, h, w, o)
        KernelTests.expectMatchesNaiveLoops(g, seed: 21, "F(4×4)",
            forward: { x, wt, b, y in WinogradF4Kernels.forward(x, weight: wt, bias: b, y, g) },
            backwardInput: { dy, wt, dx in WinogradF4Kernels.backwardInput(dy, weight: wt, dx, g) },
            backwardWeight: { dy, x, dw in WinogradF4Kernels.backwardWeight(dy, x, dweight: dw, g) })
    }

    /// The bound: within 1e-4 of the largest output, relative, against the direct
    /// convolution in double precision — forward and both gradients, 64 channels, a 14×14 map
    /// (whole tiles: 12×12 would be too kind; 14 leaves a partial tile row and column).
    @Test func roundingStaysWithinOneInTenThousand() {
        let (n, c, h, w, o) = (2, 64, 14, 14, 32)
        let g = Self.geometry(n, c, h, w, o)
        let x = randomTensor([n, c, h, w], seed: 31), wt = randomTensor([o, c, 3, 3], seed: 32, scale: 0.06)
        let dy = randomTensor([n, o, h, w], seed: 33)
        // Direct convolution and its gradients in Double.
        var ref = [Double](repeating: 0, count: n * o * h * w)
        var rdx = [Double](repeating: 0, count: n * c * h * w), rdw = [Double](repeating: 0, count: o * c * 9)
        let xs = x.scalars, ws = wt.scalars, ds = dy.scalars
        for i in 0..<n { for oc in 0..<o { for oy in 0..<h { for ox in 0..<w {
            let at = ((i * o + oc) * h + oy) * w + ox
            var s = 0.0
            for ic in 0..<c { for ky in 0..<3 { for kx in 0..<3 {
                let iy = oy - 1 + ky, ix = ox - 1 + kx
                guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                let xi = ((i * c + ic) * h + iy) * w + ix, wi = ((oc * c + ic) * 3 + ky) * 3 + kx
                s += Double(xs[xi]) * Double(ws[wi])
                rdx[xi] += Double(ds[at]) * Double(ws[wi])
                rdw[wi] += Double(ds[at]) * Double(xs[xi])
            }}}
            ref[at] = s
        }}}}
        func relative(_ a: [Float], _ b: [Double]) -> Double {
            let scale = b.map(abs).max() ?? 1
            return zip(a, b).map { abs(Double($0) - $1) }.max().map { $0 / scale } ?? 0
        }
        let y = Tensor(uninitializedShape: dy.shape), dx = Tensor(uninitializedShape: x.shape), dw = Tensor(uninitializedShape: wt.shape)
        WinogradF4Kernels.forward(x.pointer, weight: wt.pointer, bias: nil, y.pointer, g)
        WinogradF4Kernels.backwardInput(dy.pointer, weight: wt.pointer, dx.pointer, g)
        WinogradF4Kernels.backwardWeight(dy.pointer, x.pointer, dweight: dw.pointer, g)
        #expect(relative(y.scalars, ref) < 1e-4)
        #expect(relative(dx.scalars, rdx) < 1e-4)
        #expect(relative(dw.scalars, rdw) < 1e-4)
    }

    /// U = G g Gᵀ and its adjoint, lane by lane and in a last partial group, against the
    /// matrices written out.
    @Test func weightTransformsAreTheMatrices() {
        let gm: [[Double]] = [[0.25, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                              [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        let (o, c) = (3, 5)   // 15 pairs: one group of eight, one of seven
        let w = randomTensor([o, c, 3, 3], seed: 41), du = randomTensor([36, o, c], seed: 42)
        var u = [Float](repeating: 0, count: 36 * o * c), dw = [Float](repeating: 0, count: o * c * 9)
        WinogradF4Kernels.transformWeights(w.pointer, outChannels: o, inChannels: c, &u)
        WinogradF4Kernels.transformWeightGradient(du.pointer, outChannels: o, inChannels: c, &dw)
        let ws = w.scalars, dus = du.scalars
        var worst = 0.0
        for pair in 0..<(o * c) {
            for r in 0..<6 { for k in 0..<6 {
                var s = 0.0
                for a in 0..<3 { for b in 0..<3 { s += gm[r][a] * Double(ws[pair * 9 + a * 3 + b]) * gm[k][b] } }
                worst = max(worst, abs(Double(u[(r * 6 + k) * o * c + pair]) - s))
            }}
            for a in 0..<3 { for b in 0..<3 {
                var s = 0.0
                for r in 0..<6 { for k in 0..<6 { s += gm[r][a] * Double(dus[(r * 6 + k) * o * c + pair]) * gm[k][b] } }
                worst = max(worst, abs(Double(dw[pair * 9 + a * 3 + b]) - s))
            }}
        }
        #expect(worst < 1e-5)
    }

    /// The automatic choice: F(4×4) where its tiles take fewer multiplies than F(2×2)'s.
    @Test func theAutomaticChoiceCountsMultiplies() {
        func wins(_ h: Int, _ w: Int) -> Bool { WinogradF4Kernels.wins(Self.geometry(1, 1, h, w, 1)) }
        #expect([1, 2, 5, 6].allSatisfy { !wins($0, $0) })
        #expect([3, 4, 7, 8, 14, 28, 56, 112].allSatisfy { wins($0, $0) })
        #expect(!wins(1, 8) && !wins(4, 2) && wins(4, 3))   // 72 against 64, 36 against 32, 36 against 64
    }

    /// Inference caches the F(4×4) transform apart from the F(2×2) one of the same weights.
    @Test func theCacheKeepsEachTileApart() {
        let w = randomTensor([4, 3, 3, 3], seed: 51)
        let f2 = WinogradWeightCache.shared.transformed(w.storage, outChannels: 4, inChannels: 3, tile: .f2x2)
        let f4 = WinogradWeightCache.shared.transformed(w.storage, outChannels: 4, inChannels: 3, tile: .f4x4)
        #expect(f2.count == 16 * 12 && f4.count == 36 * 12)
        var u = [Float](repeating: 0, count: 36 * 12)
        WinogradF4Kernels.transformWeights(w.pointer, outChannels: 4, inChannels: 3, &u)
        #expect((0..<f4.count).map { f4.pointer[$0].bitPattern } == u.map(\.bitPattern))
        #expect(WinogradWeightCache.shared.transformed(w.storage, outChannels: 4, inChannels: 3, tile: .f2x2) === f2)
    }
}
