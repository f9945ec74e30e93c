import Testing
@testable import Tensor

/// The lane-wise tile transforms of narrow maps against the row-wise ones, bit for bit (any
/// NaN for a NaN): odd and even sizes (cut last tiles), 1×1 to 15×15 maps, several images,
/// stream lengths around the eight-lane width, NaN, infinities and −0 in the data.
@Suite struct WinogradNarrowTransformTests {
    /// (images, channels, height, width).
    static let shapes = [(1, 1, 1, 1), (2, 3, 2, 2), (3, 5, 3, 3), (4, 2, 4, 4), (2, 4, 7, 7), (5, 3, 6, 5), (2, 2, 14, 14), (1, 3, 15, 9), (9, 2, 2, 3)]

    static func data(_ n: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<n).map { i in
            switch i % 23 {
            case 4: return .nan
            case 9: return -0.0
            case 14: return .infinity
            case 19: return -.infinity
            default: return g.normal()
            }
        }
    }

    static func geometry(_ k: Int) -> (n: Int, c: Int, h: Int, w: Int, tiles: WinogradKernels.Tiles) {
        let (n, c, h, w) = shapes[k]
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: c, kernelHeight: 3, kernelWidth: 3,
                                    stride: (1, 1), padding: (1, 1))
        return (n, c, h, w, WinogradKernels.Tiles(g))
    }

    /// Bit for bit, except that a NaN matches any NaN: which NaN an operation returns (its sign,
    /// its payload) is left open by IEEE 754, and the optimiser rewrites `a − (−b)` as `a + b`.
    static func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    @Test(arguments: 0..<shapes.count) func inputTransform(_ k: Int) {
        let (n, c, h, w, tiles) = Self.geometry(k)
        let x = Self.data(n * c * h * w, seed: UInt64(k))
        let size = 16 * c * n * tiles.perImage
        var lanes = [Float](repeating: 7, count: size), rows = [Float](repeating: 9, count: size)
        WinogradKernels.transformInputByLanes(x, count: n, channels: c, height: h, width: w, tiles: tiles, &lanes)
        WinogradKernels.transformInputByRows(x, count: n, channels: c, height: h, width: w, tiles: tiles, &rows)
        #expect(Self.same(lanes, rows))
    }

    @Test(arguments: 0..<shapes.count) func outputTransform(_ k: Int) {
        let (n, c, h, w, tiles) = Self.geometry(k)
        let m = Self.data(16 * c * n * tiles.perImage, seed: UInt64(50 + k))
        let bias = Self.data(c, seed: UInt64(90 + k))
        for b in [nil, bias] {
            var lanes = [Float](repeating: 7, count: n * c * h * w), rows = [Float](repeating: 9, count: n * c * h * w)
            WinogradKernels.transformOutputByLanes(m, count: n, channels: c, outHeight: h, outWidth: w, tiles: tiles, bias: b, &lanes)
            WinogradKernels.transformOutputByRows(m, count: n, channels: c, outHeight: h, outWidth: w, tiles: tiles, bias: b, &rows)
            #expect(Self.same(lanes, rows))
        }
    }

    @Test(arguments: 0..<shapes.count) func outputGradientTransform(_ k: Int) {
        let (n, c, h, w, tiles) = Self.geometry(k)
        let dy = Self.data(n * c * h * w, seed: UInt64(130 + k))
        let size = 16 * c * n * tiles.perImage
        var lanes = [Float](repeating: 7, count: size), rows = [Float](repeating: 9, count: size)
        WinogradKernels.transformOutputGradientByLanes(dy, count: n, channels: c, outHeight: h, outWidth: w, tiles: tiles, &lanes)
        WinogradKernels.transformOutputGradientByRows(dy, count: n, channels: c, outHeight: h, outWidth: w, tiles: tiles, &rows)
        #expect(Self.same(lanes, rows))
    }
}
