import Testing
@testable import Tensor

/// The vectorised max-pool and ReLU against their scalar rules, bit for bit — NaN, −0 and
/// ties included (a larger value or a NaN takes over in scan order; max(x, 0) as Swift's).
@Suite struct PoolingAndActivationKernelTests {
    static func input(_ n: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<n).map { i in
            switch i % 17 {
            case 3: return .nan
            case 5: return -0.0
            case 7: return 0.0
            case 11: return 1.5   // ties
            case 13: return -.infinity
            default: return Float(Int(g.normal() * 4)) / 2   // many equal values
            }
        }
    }

    @Test(arguments: [(3, 2, 1), (2, 2, 0), (3, 1, 1), (3, 2, 0), (5, 3, 2)])
    func maxPoolMatchesTheScalarScan(_ k: Int, _ s: Int, _ p: Int) {
        for (h, w) in [(7, 9), (28, 28), (14, 40), (3, 3), (20, 17), (9, 21), (6, 35), (4, 19)] where h + 2 * p >= k && w + 2 * p >= k {
            let g = PoolingKernels.Geometry(planes: 3, height: h, width: w, kernel: (k, k), stride: (s, s), padding: (p, p))
            let x = Self.input(3 * h * w, seed: UInt64(h * w + k))
            let oh = g.outHeight, ow = g.outWidth
            var y = [Float](repeating: 7, count: 3 * oh * ow), arg = [Int32](repeating: -1, count: 3 * oh * ow)
            PoolingKernels.maxForward(x, &y, argmax: &arg, g)
            for pl in 0..<3 {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let y0 = max(0, oy * s - p), y1 = min(h, oy * s - p + k), x0 = max(0, ox * s - p), x1 = min(w, ox * s - p + k)
                        var best = -Float.infinity, index = y0 * w + x0
                        for iy in y0..<y1 {
                            for ix in x0..<x1 {
                                let v = x[pl * h * w + iy * w + ix]
                                if v > best || v.isNaN { best = v; index = iy * w + ix }
                            }
                        }
                        let o = pl * oh * ow + oy * ow + ox
                        #expect(y[o].bitPattern == best.bitPattern && Int(arg[o]) == index, "\(h)×\(w) k\(k) s\(s) p\(p) at \(pl),\(oy),\(ox)")
                    }
                }
            }
        }
    }

    @Test func reluMatchesSwiftsMax() {
        for n in [1, 7, 8, 9, 100, 70_001] {
            let x = Self.input(n, seed: UInt64(n))
            var y = [Float](repeating: 3, count: n)
            ElementwiseKernels.relu(x, &y, n)
            #expect(zip(x, y).allSatisfy { max($0, 0).bitPattern == $1.bitPattern }, "n = \(n)")
        }
    }

    @Test func reluBackwardMatchesTheScalarRule() {
        for n in [1, 7, 8, 9, 100, 70_001] {
            let g = Self.input(n, seed: UInt64(n)), y = Self.input(n, seed: UInt64(n + 1)).reversed().map { $0 }
            var out = [Float](repeating: 3, count: n)
            ElementwiseKernels.reluBackward(g, y, &out, n)
            #expect((0..<n).allSatisfy { (y[$0] > 0 ? g[$0] : 0).bitPattern == out[$0].bitPattern }, "n = \(n)")
        }
    }

    @Test func addScaledMatchesTheScalarSum() {
        for n in [1, 7, 8, 9, 100, 70_001] {
            let x = Self.input(n, seed: UInt64(n)), y = Self.input(n, seed: UInt64(n + 2)).reversed().map { $0 }
            for scale: Float in [1, -0.37] {
                var out = [Float](repeating: 3, count: n)
                ElementwiseKernels.addScaled(x, y, scale: scale, &out, n)
                #expect((0..<n).allSatisfy { (x[$0] + scale * y[$0]).bitPattern == out[$0].bitPattern }, "n = \(n), scale \(scale)")
                var inPlace = x
                inPlace.withUnsafeMutableBufferPointer { b in ElementwiseKernels.addScaled(b.baseAddress!, y, scale: scale, b.baseAddress!, n) }
                #expect(inPlace.map(\.bitPattern) == out.map(\.bitPattern))
            }
        }
    }
}
