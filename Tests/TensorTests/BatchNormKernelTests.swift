import Testing
@testable import Tensor

/// Batch norm's kernels sum several rows at once (independent chains interleaved); each row's
/// float sum and the channel's Double total must still be the one-row loops' bits — the
/// straightforward kernel below, operation for operation — for any batch size and block of
/// channels (whole groups of eight or four rows and the rows left over), with and without the
/// fused ReLU.
@Suite struct BatchNormKernelTests {
    static func random(_ count: Int, seed: UInt64, offset: Float = 0) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { _ in g.normal() * 1.5 + offset }
    }

    /// The kernels as they were written one row at a time: statistics, then the affine map.
    static func referenceForward(_ x: [Float], gamma: [Float], beta: [Float], n: Int, c: Int, l: Int, eps: Float)
        -> (y: [Float], mean: [Float], invStd: [Float], variance: [Float]) {
        var y = [Float](repeating: 0, count: x.count), mean = [Float](repeating: 0, count: c)
        var invStd = mean, variance = mean
        let m = Double(n * l)
        for ch in 0..<c {
            var s = 0.0
            for i in 0..<n {
                var part: Float = 0
                for j in 0..<l { part += x[(i * c + ch) * l + j] }
                s += Double(part)
            }
            let muF = Float(s / m)
            var ss = 0.0
            for i in 0..<n {
                var part: Float = 0
                for j in 0..<l { let d = x[(i * c + ch) * l + j] - muF; part += d * d }
                ss += Double(part)
            }
            let v = ss / m
            let inv = Float(1 / (v + Double(eps)).squareRoot())
            mean[ch] = muF; invStd[ch] = inv; variance[ch] = Float(v)
            let scale = gamma[ch] * inv, shift = beta[ch] - muF * scale
            for i in 0..<n { for j in 0..<l { let o = (i * c + ch) * l + j; y[o] = x[o] * scale + shift } }
        }
        return (y, mean, invStd, variance)
    }

    static func referenceBackward(_ dy: [Float], _ x: [Float], gamma: [Float], mean: [Float], invStd: [Float],
                                  n: Int, c: Int, l: Int, batchStatistics: Bool) -> (dx: [Float], dgamma: [Float], dbeta: [Float]) {
        var dx = [Float](repeating: 0, count: x.count), dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        let m = Float(n * l)
        for ch in 0..<c {
            let mu = mean[ch], inv = invStd[ch]
            var sumDy = 0.0, sumDyXhat = 0.0
            for i in 0..<n {
                var a: Float = 0, b: Float = 0
                for j in 0..<l { let o = (i * c + ch) * l + j; a += dy[o]; b += dy[o] * (x[o] - mu) }
                sumDy += Double(a); sumDyXhat += Double(b)
            }
            let sDy = Float(sumDy), sDyXhat = Float(sumDyXhat) * inv
            dgamma[ch] = sDyXhat; dbeta[ch] = sDy
            if batchStatistics {
                let k = gamma[ch] * inv / m, coef = sDyXhat * inv
                for i in 0..<n { for j in 0..<l { let o = (i * c + ch) * l + j; dx[o] = k * (m * dy[o] - sDy - (x[o] - mu) * coef) } }
            } else {
                let k = gamma[ch] * inv
                for i in 0..<n { for j in 0..<l { let o = (i * c + ch) * l + j; dx[o] = k * dy[o] } }
            }
        }
        return (dx, dgamma, dbeta)
    }

    static func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }

    /// Blocks of one channel (its images' rows together), of 2–3 (the same), of 5–7 (the backward
    /// takes four channels' rows together, the forward not yet) and of 8 or more (both take
    /// neighbouring channels' rows), with channels left over past the last whole group, and the
    /// size the kernels choose for the shape.
    @Test(arguments: [1, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 21])
    func interleavedRowsGiveTheOneRowLoopsBits(n: Int) {
        for (c, l, block) in [(3, 1, nil), (3, 5, nil), (3, 49, nil), (3, 49, 1), (21, 4, 1), (21, 4, 3), (21, 4, 6),
                              (21, 4, 8), (21, 1, 13), (21, 5, 21), (21, 4, nil)] as [(Int, Int, Int?)] {
            let count = n * c * l
            let x = Self.random(count, seed: UInt64(n * 100 + l), offset: 0.3), dy = Self.random(count, seed: UInt64(n * 100 + l + 7))
            let gamma = (0..<c).map { Float($0 % 5) * 0.3 - 0.4 }, beta = (0..<c).map { Float($0 % 3) * 0.1 - 0.1 }
            let reference = Self.referenceForward(x, gamma: gamma, beta: beta, n: n, c: c, l: l, eps: 1e-5)
            var y = [Float](repeating: 0, count: count), mean = [Float](repeating: 0, count: c), invStd = mean, variance = mean
            BatchNormKernels.trainForward(x, &y, gamma: gamma, beta: beta, n: n, c: c, l: l, eps: 1e-5,
                                          mean: &mean, invStd: &invStd, variance: &variance, channelsPerBlock: block)
            let what = "n \(n), c \(c), l \(l), block \(block.map(String.init) ?? "chosen")"
            #expect(Self.bits(y) == Self.bits(reference.y), "output, \(what)")
            #expect(Self.bits(mean) == Self.bits(reference.mean) && Self.bits(invStd) == Self.bits(reference.invStd)
                    && Self.bits(variance) == Self.bits(reference.variance), "statistics, \(what)")

            // Backward, plain and through the ReLU's mask (the reference then sees the masked gradient).
            for (relu, batchStatistics) in [(false, true), (true, true), (true, false)] {
                let seen = relu ? zip(dy, y).map { $1 > 0 ? $0 : 0 } : dy
                let expected = Self.referenceBackward(seen, x, gamma: gamma, mean: mean, invStd: invStd, n: n, c: c, l: l,
                                                      batchStatistics: batchStatistics)
                var dx = [Float](repeating: .nan, count: count), dgamma = [Float](repeating: .nan, count: c), dbeta = dgamma
                var masked = [Float](repeating: .nan, count: count)
                y.withUnsafeBufferPointer { yp in masked.withUnsafeMutableBufferPointer { mp in
                    guard let yb = yp.baseAddress, let mb = mp.baseAddress else { return }
                    BatchNormKernels.backward(dy, x, &dx, gamma: gamma, mean: mean, invStd: invStd, dgamma: &dgamma, dbeta: &dbeta,
                                              n: n, c: c, l: l, batchStatistics: batchStatistics, relu: relu ? (yb, mb) : nil,
                                              channelsPerBlock: block)
                } }
                #expect(Self.bits(dx) == Self.bits(expected.dx), "dx, \(what), relu \(relu), batch statistics \(batchStatistics)")
                #expect(Self.bits(dgamma) == Self.bits(expected.dgamma) && Self.bits(dbeta) == Self.bits(expected.dbeta),
                        "dgamma/dbeta, \(what), relu \(relu)")
                if relu { #expect(Self.bits(masked) == Self.bits(seen), "the masked gradient, \(what)") }
            }
        }
    }
}
