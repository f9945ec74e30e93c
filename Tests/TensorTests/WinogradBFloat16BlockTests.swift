import CBFloat16
import Testing
@testable import Tensor

/// Winograd F(2×2) in bf16 a block of tile rows at a time (``WinogradBFloat16Blocks``,
/// `fs_bf16_winograd2_block`) computes what the group driver (``WinogradTileDriver``) computes,
/// operation for operation — so the test is equality of the bits, not a tolerance: any block
/// split, odd and narrow maps, the bias and the fused residual and ReLU, the input gradient's
/// transposed components, and the scalar emulation against the AVX512_BF16 kernel where the
/// CPU has it (no denormals in the data, where the two are documented to agree).
@Suite struct WinogradBFloat16BlockTests {
    static func random(_ count: Int, seed: UInt64) -> [Float] {
        var g = RandomGenerator(seed: seed)
        return (0..<count).map { _ in g.normal() }
    }

    /// (batch, in channels, out channels, height, width): odd sides, maps narrower than one
    /// GEMM panel of tiles, channel counts odd and past a panel's 16 pairs.
    @Test(arguments: [(2, 8, 6, 8, 8), (1, 3, 5, 7, 5), (2, 35, 17, 11, 13), (1, 64, 64, 14, 14), (2, 16, 24, 2, 3)])
    func blocksEqualTheGroupDriver(_ shape: (Int, Int, Int, Int, Int)) {
        let (n, c, o, h, w) = shape
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                    kernelHeight: 3, kernelWidth: 3, padding: (1, 1), precision: .bf16)
        let x = Self.random(n * c * h * w, seed: 30), weight = Self.random(o * c * 9, seed: 31)
        let bias = Self.random(o, seed: 32), residual = Self.random(n * o * h * w, seed: 33)
        var u = [Float](repeating: 0, count: 16 * o * c)
        WinogradKernels.transformWeights(weight, outChannels: o, inChannels: c, &u)
        let u16 = BFloat16.round(u)
        for (withBias, epilogue) in [(false, false), (true, true)] {
            // The group driver, then the blocks through the driver's own dispatch.
            func driver(blocks: Bool) -> [Float] {
                var y = [Float](repeating: .nan, count: n * o * h * w)
                residual.withUnsafeBufferPointer { r in
                    let e = epilogue ? OutputEpilogue(residual: r.baseAddress, relu: true) : .none
                    WinogradTileDriver<WinogradKernels>.convolve(x, transformedWeights: u, bias: withBias ? bias : nil, &y, batch: n,
                                                                 inChannels: c, outChannels: o, height: h, width: w, g,
                                                                 epilogue: e, blocks: blocks)
                }
                return y
            }
            let expected = driver(blocks: false)
            #expect(!expected.contains { $0.isNaN })
            #expect(driver(blocks: true) == expected, "\(shape) bias \(withBias) epilogue \(epilogue)")
            // Every split into blocks of 1, 2 and 3 tile rows, emulated and (where the CPU has it) hardware.
            for hardware in BFloat16.hardware ? [Int32(0), 1] : [0] {
                for rows in 1...3 {
                    var y = [Float](repeating: .nan, count: n * o * h * w)
                    let th = (h + 1) / 2
                    x.withUnsafeBufferPointer { xp in residual.withUnsafeBufferPointer { rp in y.withUnsafeMutableBufferPointer { yp in
                        for image in 0..<n {
                            for first in stride(from: 0, to: th, by: rows) {
                                let status = fs_bf16_winograd2_block(hardware, xp.baseAddress! + image * c * h * w, c, h, w, first, first + rows,
                                                                     u16, o, withBias ? bias : nil,
                                                                     epilogue ? rp.baseAddress! + image * o * h * w : nil, epilogue ? 1 : 0,
                                                                     yp.baseAddress! + image * o * h * w)
                                #expect(status == 0)
                            }
                        }
                    } } }
                    #expect(y == expected, "\(shape) rows \(rows) hardware \(hardware) bias \(withBias) epilogue \(epilogue)")
                }
            }
        }
    }

    /// The input gradient reads the forward's components transposed and permuted; the blocks
    /// take them rounded in that order, with the same bits as the group driver.
    @Test func inputGradientEqualsTheGroupDriver() {
        let (n, c, o, h, w) = (2, 12, 20, 9, 10)
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                    kernelHeight: 3, kernelWidth: 3, padding: (1, 1), precision: .bf16)
        let dy = Self.random(n * o * h * w, seed: 40), weight = Self.random(o * c * 9, seed: 41)
        var u = [Float](repeating: 0, count: 16 * o * c)
        WinogradKernels.transformWeights(weight, outChannels: o, inChannels: c, &u)
        let q = { (r: Int) in r == 0 ? 3 : (r == 3 ? 0 : r) }
        func dx(blocks: Bool) -> [Float] {
            var out = [Float](repeating: .nan, count: n * c * h * w)
            WinogradTileDriver<WinogradKernels>.convolve(dy, transformedWeights: u, bias: nil, &out, batch: n, inChannels: o,
                                                         outChannels: c, height: h, width: w, g, epilogue: .none,
                                                         transposedComponent: { xi in q(xi / 4) * 4 + q(xi % 4) }, blocks: blocks)
            return out
        }
        let expected = dx(blocks: false)
        #expect(!expected.contains { $0.isNaN })
        #expect(dx(blocks: true) == expected)
    }

    /// The weight gradient's component sums (before the adjoint weight transform) against the
    /// same sums in Double of the bf16-rounded transformed operands — each product exact in
    /// Float, so the only error is the Float accumulation of P = batch × tiles terms, at most
    /// γ_P·Σ|products| (Higham 3.1) — for every block size; and equal to the bit however the
    /// component rows are split over threads, and emulated or on the AVX512_BF16 kernel.
    @Test(arguments: [(2, 8, 6, 8, 8), (1, 35, 17, 11, 13), (2, 16, 24, 2, 3), (1, 64, 64, 14, 14)])
    func weightGradientSumsAreWithinTheirBoundAndSplitFree(_ shape: (Int, Int, Int, Int, Int)) {
        let (n, c, o, h, w) = shape
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                    kernelHeight: 3, kernelWidth: 3, padding: (1, 1), precision: .bf16)
        let x = Self.random(n * c * h * w, seed: 50), dy = Self.random(n * o * h * w, seed: 51)
        let tiles = WinogradKernels.Tiles(g), p = n * tiles.perImage
        var v = [Float](repeating: 0, count: 16 * c * p), dm = [Float](repeating: 0, count: 16 * o * p)
        WinogradKernels.transformInput(x, count: n, channels: c, height: h, width: w, tiles: tiles, &v)
        WinogradKernels.transformOutputGradient(dy, count: n, channels: o, outHeight: h, outWidth: w, tiles: tiles, &dm)
        let rv = BFloat16.widen(BFloat16.round(v)).map(Double.init), rdm = BFloat16.widen(BFloat16.round(dm)).map(Double.init)
        var exact = [Double](repeating: 0, count: 16 * o * c), magnitude = exact
        for xi in 0..<16 { for oc in 0..<o { for ic in 0..<c {
            var sum = 0.0, size = 0.0
            for t in 0..<p { let q = rdm[(xi * o + oc) * p + t] * rv[(xi * c + ic) * p + t]; sum += q; size += abs(q) }
            exact[(xi * o + oc) * c + ic] = sum; magnitude[(xi * o + oc) * c + ic] = size
        } } }
        let u = 0x1p-24, gamma = Double(p) * u / (1 - Double(p) * u)
        func du(hardware: Int32, rows: Int, split: [Int]) -> [Float] {
            var out = [Float](repeating: .nan, count: 16 * o * c)
            for (first, end) in zip(split, split.dropFirst()) {
                let status = fs_bf16_winograd2_weight_gradient(hardware, x, dy, n, c, o, h, w, rows, first, end, &out)
                #expect(status == 0)
            }
            return out
        }
        for rows in 1...3 {
            let whole = du(hardware: 0, rows: rows, split: [0, 4])
            let worst = zip(whole, zip(exact, magnitude)).map { abs(Double($0) - $1.0) / max(gamma * $1.1, .leastNormalMagnitude) }.max() ?? 0
            #expect(worst <= 1, "\(shape) rows \(rows): \(worst) of the bound")
            #expect(du(hardware: 0, rows: rows, split: [0, 2, 4]) == whole)
            #expect(du(hardware: 0, rows: rows, split: [0, 1, 2, 3, 4]) == whole)
            if BFloat16.hardware {
                #expect(du(hardware: 1, rows: rows, split: [0, 4]) == whole)
                #expect(du(hardware: 1, rows: rows, split: [0, 1, 3, 4]) == whole)
            }
        }
        // The driver's dispatch takes the blocks for these channels; the group driver's sum of the
        // same products in another order is within the same bound of the exact one (both are
        // checked against the convolution itself by AutocastTests).
        var dwBlocks = [Float](repeating: .nan, count: o * c * 9), dwGroups = dwBlocks
        WinogradTileDriver<WinogradKernels>.backwardWeight(dy, x, dweight: &dwBlocks, g)
        WinogradTileDriver<WinogradKernels>.backwardWeight(dy, x, dweight: &dwGroups, g, blocks: false)
        #expect(!dwBlocks.contains { $0.isNaN } && !dwGroups.contains { $0.isNaN })
    }

    /// The blocks take layer1's and layer2's channels only, and a block holds at least one tile
    /// row and at most the map.
    @Test func blockSizes() {
        #expect(WinogradBFloat16Blocks.applies(inChannels: 64, outChannels: 64))
        #expect(WinogradBFloat16Blocks.applies(inChannels: 128, outChannels: 128))
        #expect(!WinogradBFloat16Blocks.applies(inChannels: 256, outChannels: 256))
        let rows56 = WinogradBFloat16Blocks.tileRowsPerBlock(inChannels: 64, outChannels: 64, height: 56, width: 56)
        #expect(rows56 >= 1 && rows56 < 28)
        #expect(fs_bf16_winograd2_block_bytes(64, 64, 56, rows56 * 28) <= WinogradBFloat16Blocks.blockBytes)
        #expect(WinogradBFloat16Blocks.tileRowsPerBlock(inChannels: 8, outChannels: 8, height: 6, width: 6) == 3)
        #expect(WinogradBFloat16Blocks.tileRowsPerBlock(inChannels: 128, outChannels: 128, height: 512, width: 512) == 1)
    }
}
