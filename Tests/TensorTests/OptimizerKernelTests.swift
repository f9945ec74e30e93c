import Testing
@testable import Tensor

/// The optimisers' vectorised loops against the plain per-element formulas, bit for bit —
/// sizes around the 8-lane width and above the parallel grain, three steps each.
@Suite struct OptimizerKernelTests {
    static let sizes = [1, 7, 8, 9, 23, 70_001]

    /// Elements whose bits differ.
    static func mismatches(_ a: [Float], _ b: [Float]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
    }

    static func parameter(_ n: Int, seed: UInt64) -> (Parameter, [Float]) {
        var g = RandomGenerator(seed: seed)
        let p = Parameter(Tensor(shape: [n], scalars: (0..<n).map { _ in g.normal() }))
        return (p, (0..<n).map { _ in g.normal() })
    }

    @Test(arguments: sizes) func adamMatchesTheScalarFormula(n: Int) {
        let (p, grad) = Self.parameter(n, seed: UInt64(n))
        let adam = Adam([p], learningRate: 0.01, weightDecay: 1e-3)
        var w = p.value.scalars, m = [Float](repeating: 0, count: n), v = m
        let b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8, wd: Float = 1e-3
        for step in 1...3 {
            adam.zeroGrad()
            (p.value * Tensor(shape: [n], scalars: grad.map { $0 * Float(step) })).sum().backward()
            adam.step()
            let bc1 = Float(1 - _pow(Double(b1), Double(step))), bc2 = Float((1 - _pow(Double(b2), Double(step))).squareRoot())
            let size: Float = 0.01 / bc1
            for j in 0..<n {
                let d = grad[j] * Float(step) + wd * w[j]
                m[j] = b1 * m[j] + (1 - b1) * d
                v[j] = b2 * v[j] + (1 - b2) * d * d
                w[j] -= size * m[j] / (v[j].squareRoot() / bc2 + eps)
            }
            #expect(Self.mismatches(p.value.scalars, w) == 0, "step \(step)")
            #expect(Self.mismatches(adam.firstMoments[0].scalars, m) == 0 && Self.mismatches(adam.secondMoments[0].scalars, v) == 0)
        }
    }

    @Test(arguments: sizes) func sgdMatchesTheScalarFormula(n: Int) {
        for nesterov in [false, true] {
            let (p, grad) = Self.parameter(n, seed: UInt64(n) + 100)
            let sgd = SGD([p], learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: nesterov)
            var w = p.value.scalars, buf = [Float](repeating: 0, count: n)
            for step in 1...3 {
                sgd.zeroGrad()
                (p.value * Tensor(shape: [n], scalars: grad.map { $0 - Float(step) })).sum().backward()
                sgd.step()
                for j in 0..<n {
                    var d = (grad[j] - Float(step)) + 5e-4 * w[j]
                    buf[j] = step == 1 ? d : 0.9 * buf[j] + (1 - 0) * d
                    d = nesterov ? d + 0.9 * buf[j] : buf[j]
                    w[j] -= 0.05 * d
                }
                #expect(Self.mismatches(p.value.scalars, w) == 0, "step \(step), nesterov \(nesterov)")
            }
        }
    }
}
