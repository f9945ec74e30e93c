import Testing
@testable import Tensor

/// The vectorised Winograd weight transforms against the per-pair scalar formulas, bit for
/// bit (pair counts around the 8-lane width and above the parallel grain).
@Suite struct WinogradTransformTests {
    static let shapes = [(1, 1), (3, 3), (8, 1), (5, 7), (64, 65), (96, 100)]

    static func random(_ n: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<n).map { _ in g.normal() }
    }

    @Test(arguments: 0..<shapes.count) func weightTransform(_ k: Int) {
        let (o, c) = Self.shapes[k], oc = o * c
        let w = Self.random(oc * 9, seed: UInt64(k))
        var u = [Float](repeating: .nan, count: 16 * oc), expected = u
        WinogradKernels.transformWeights(w, outChannels: o, inChannels: c, &u)
        for idx in 0..<oc {
            let g = Array(w[(idx * 9)..<(idx * 9 + 9)])
            func row(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float) {
                expected[(i * 4 + 0) * oc + idx] = r0
                expected[(i * 4 + 1) * oc + idx] = 0.5 * (r0 + r1 + r2)
                expected[(i * 4 + 2) * oc + idx] = 0.5 * (r0 - r1 + r2)
                expected[(i * 4 + 3) * oc + idx] = r2
            }
            row(0, g[0], g[1], g[2])
            row(1, 0.5 * (g[0] + g[3] + g[6]), 0.5 * (g[1] + g[4] + g[7]), 0.5 * (g[2] + g[5] + g[8]))
            row(2, 0.5 * (g[0] - g[3] + g[6]), 0.5 * (g[1] - g[4] + g[7]), 0.5 * (g[2] - g[5] + g[8]))
            row(3, g[6], g[7], g[8])
        }
        #expect(zip(u, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test(arguments: 0..<shapes.count) func weightGradientTransform(_ k: Int) {
        let (o, c) = Self.shapes[k], oc = o * c
        let du = Self.random(16 * oc, seed: UInt64(100 + k))
        var dw = [Float](repeating: .nan, count: 9 * oc), expected = dw
        WinogradKernels.transformWeightGradient(du, outChannels: o, inChannels: c, &dw)
        for idx in 0..<oc {
            func m(_ k: Int) -> Float { du[k * oc + idx] }
            func row(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float, _ r3: Float) {
                expected[idx * 9 + i * 3] = r0 + 0.5 * (r1 + r2)
                expected[idx * 9 + i * 3 + 1] = 0.5 * (r1 - r2)
                expected[idx * 9 + i * 3 + 2] = 0.5 * (r1 + r2) + r3
            }
            row(0, m(0) + 0.5 * (m(4) + m(8)), m(1) + 0.5 * (m(5) + m(9)), m(2) + 0.5 * (m(6) + m(10)), m(3) + 0.5 * (m(7) + m(11)))
            row(1, 0.5 * (m(4) - m(8)), 0.5 * (m(5) - m(9)), 0.5 * (m(6) - m(10)), 0.5 * (m(7) - m(11)))
            row(2, 0.5 * (m(4) + m(8)) + m(12), 0.5 * (m(5) + m(9)) + m(13), 0.5 * (m(6) + m(10)) + m(14), 0.5 * (m(7) + m(11)) + m(15))
        }
        #expect(zip(dw, expected).allSatisfy { $0.bitPattern == $1.bitPattern })
    }
}

/// Inference reuses a convolution's transformed weights (WinogradWeightCache; in bf16 their
/// rounded copy too) — and never a stale one: the same outputs as with the tape, bit for bit,
/// before and after the weights change in place (an optimiser step) or are replaced (a
/// checkpoint load). In bf16 on narrow channels (the blocks) and wide ones (the group driver).
@Suite struct WinogradWeightCacheTests {
    @Test(arguments: [(Precision.fp32, 8, 16), (.bf16, 8, 16), (.bf16, 136, 130)])
    func inferenceMatchesTheTapeAndSeesEveryChange(_ setting: (Precision, Int, Int)) {
        let (precision, c, o) = setting
        var g = RandomGenerator(seed: 5)
        let x = Tensor(shape: [2, c, 6, 6], scalars: (0..<(2 * c * 36)).map { _ in g.normal() })
        let p = Parameter(Tensor(shape: [o, c, 3, 3], scalars: (0..<(o * c * 9)).map { _ in g.normal() }))
        let tile = ConvolutionPlan(ConvolutionGeometry(batch: 2, inChannels: c, height: 6, width: 6, outChannels: o, kernelHeight: 3,
                                                       kernelWidth: 3, stride: (1, 1), padding: (1, 1), precision: precision)).winogradTile
        #expect(tile != nil && (precision == .fp32 || tile == .f2x2), "a Winograd convolution (F(2×2) in bf16)")
        func both() -> (taped: [Float], cached: [Float]) {
            withAutocast(precision) {
                let taped = conv2d(x, weight: p.value, padding: (1, 1)).scalars
                let cached = withNoGrad { conv2d(x, weight: p.value, padding: (1, 1)) }.scalars
                return (taped, cached)
            }
        }
        let first = both()
        #expect(first.taped.map(\.bitPattern) == first.cached.map(\.bitPattern))
        let again = withAutocast(precision) { withNoGrad { conv2d(x, weight: p.value, padding: (1, 1)) }.scalars }
        #expect(again.map(\.bitPattern) == first.cached.map(\.bitPattern))
        if precision == .bf16 {   // really rounded: FP32 gives other values
            let fp32 = withNoGrad { conv2d(x, weight: p.value, padding: (1, 1)) }.scalars
            #expect(fp32 != first.cached)
        }
        // An optimiser step changes the weights in place.
        let sgd = SGD([p], learningRate: 0.1)
        (conv2d(x, weight: p.value, padding: (1, 1)).sum()).backward()
        sgd.step()
        let second = both()
        #expect(second.taped.map(\.bitPattern) == second.cached.map(\.bitPattern))
        #expect(second.cached != first.cached)
        // A new value (a checkpoint load).
        p.assign(Tensor(shape: [o, c, 3, 3], repeating: 0.01))
        let third = both()
        #expect(third.taped.map(\.bitPattern) == third.cached.map(\.bitPattern))
        #expect(third.cached != second.cached)
    }
}

/// A recorded Winograd F(2×2) convolution transforms its weights once: the forward keeps the
/// transform and the input gradient reads it (permuted, transposed) — the same bits as the
/// kernels that transform the weights on each call, in FP32 and in bf16 (the blocks on narrow
/// channels, the group driver on wide ones).
@Suite struct WinogradKeptTransformTests {
    @Test(arguments: [(Precision.fp32, 8, 16), (.bf16, 8, 16), (.bf16, 136, 130), (.fp32, 136, 130)])
    func tapeMatchesTheKernelsBitForBit(_ setting: (Precision, Int, Int)) {
        let (precision, c, o) = setting
        var r = RandomGenerator(seed: 9)
        // The automatic plan takes F(4×4) in FP32 where it needs fewer multiplies: the first map it leaves to F(2×2).
        let n = 3
        func geometry(_ h: Int, _ w: Int) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o, kernelHeight: 3, kernelWidth: 3,
                                stride: (1, 1), padding: (1, 1), precision: precision)
        }
        let maps = [(7, 6), (5, 5), (2, 6)]
        guard let (h, w) = maps.first(where: {
            let plan = ConvolutionPlan(geometry($0.0, $0.1))
            return plan.forward == .winogradF2 && plan.inputGradient == .winogradF2
        }) else { Issue.record("no map of \(maps) takes F(2×2) for \(c) → \(o) channels"); return }
        let g = geometry(h, w)
        let x = Parameter(Tensor(shape: [n, c, h, w], scalars: (0..<(n * c * h * w)).map { _ in r.normal() }))
        let weight = Parameter(Tensor(shape: [o, c, 3, 3], scalars: (0..<(o * c * 9)).map { _ in r.normal() }))
        let dy = Tensor(shape: [n, o, h, w], scalars: (0..<(n * o * h * w)).map { _ in r.normal() })
        let y = withAutocast(precision) { conv2d(x.value, weight: weight.value, padding: (1, 1)) }
        withAutocast(precision) { (y * dy).sum().backward() }   // dL/dy = dy exactly
        var direct = [Float](repeating: 0, count: y.count), dx = [Float](repeating: 0, count: x.value.count)
        ConvolutionKernels.forward(x.value.pointer, weight: weight.value.pointer, bias: nil, &direct, g)
        ConvolutionKernels.backwardInput(dy.pointer, weight: weight.value.pointer, &dx, g)
        #expect(y.scalars.map(\.bitPattern) == direct.map(\.bitPattern))
        let taped = x.grad?.scalars ?? []
        #expect(taped.map(\.bitPattern) == dx.map(\.bitPattern))
        if precision == .bf16 {   // really rounded
            var fp32 = [Float](repeating: 0, count: dx.count)
            var g32 = g; g32.precision = .fp32
            ConvolutionKernels.backwardInput(dy.pointer, weight: weight.value.pointer, &fp32, g32)
            #expect(fp32 != dx)
        }
    }
}
