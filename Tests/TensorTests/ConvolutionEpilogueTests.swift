import Testing
@testable import Tensor

/// The convolution forward's epilogue (`relu(conv + bias + residual)` applied as each part of
/// the output is written) against the same forward followed by the separate `+` and ReLU, on
/// every path: F(2×2) by rows and by lanes, F(4×4), image-parallel im2col and grouped im2col.
/// Same bits expected: the epilogue does the same float operations in the same order.
@Suite struct ConvolutionEpilogueTests {
    typealias Forward = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?,
                         UnsafeMutablePointer<Float>, OutputEpilogue) -> Void

    static let paths: [(String, ConvolutionGeometry, Forward)] = {
        func geometry(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int) -> ConvolutionGeometry {
            ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p))
        }
        let rows = geometry(3, 4, 17, 19, 5, 3, 1, 1), lanes = geometry(3, 4, 9, 7, 5, 3, 1, 1)
        let f4 = geometry(3, 4, 13, 14, 5, 3, 1, 1)
        let parallel = geometry(3, 3, 40, 41, 6, 3, 2, 1), grouped = geometry(3, 4, 9, 9, 6, 3, 2, 1)
        let pointwise = geometry(2, 4, 20, 21, 6, 1, 2, 0)
        precondition(!WinogradKernels.Tiles(rows).isNarrow && WinogradKernels.Tiles(lanes).isNarrow)
        precondition(ImageParallelConvolution.computes(parallel) && !ImageParallelConvolution.computes(grouped))
        return [
            ("F(2×2) by rows", rows, { x, w, b, y, e in WinogradKernels.forward(x, weight: w, bias: b, y, rows, epilogue: e) }),
            ("F(2×2) by lanes", lanes, { x, w, b, y, e in WinogradKernels.forward(x, weight: w, bias: b, y, lanes, epilogue: e) }),
            ("F(4×4)", f4, { x, w, b, y, e in WinogradF4Kernels.forward(x, weight: w, bias: b, y, f4, epilogue: e) }),
            ("image-parallel", parallel, { x, w, b, y, e in ImageParallelConvolution.forward(x, weight: w, bias: b, y, parallel, epilogue: e) }),
            ("image-parallel 1×1/2", pointwise, { x, w, b, y, e in ImageParallelConvolution.forward(x, weight: w, bias: b, y, pointwise, epilogue: e) }),
            ("grouped im2col", grouped, { x, w, b, y, e in ConvolutionKernels.forward(x, weight: w, bias: b, y, grouped, epilogue: e) }),
        ]
    }()

    @Test func epilogueMatchesTheSeparateAddAndReLU() {
        for (name, g, forward) in Self.paths {
            let x = randomTensor([g.batch, g.inChannels, g.height, g.width], seed: 31)
            let w = randomTensor([g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth], seed: 32, scale: 0.3)
            let b = randomTensor([g.outChannels], seed: 33)
            let outShape = [g.batch, g.outChannels, g.outHeight, g.outWidth]
            let r = randomTensor(outShape, seed: 34)
            func run(_ residual: Tensor?, relu: Bool) -> [Float] {
                let y = Tensor(shape: outShape, scalars: Array(repeating: .nan, count: Tensor.elementCount(outShape)))
                forward(x.pointer, w.pointer, b.pointer, y.pointer,
                        OutputEpilogue(residual: residual.map { UnsafePointer($0.pointer) }, relu: relu))
                return y.scalars
            }
            let plain = run(nil, relu: false)
            for residual in [false, true] {
                let expected = zip(plain, r.scalars).map { v, rv -> Float in
                    let s = residual ? v + rv : v
                    return 0 >= s ? 0 : s
                }
                let fused = run(residual ? r : nil, relu: true)
                #expect(fused.map(\.bitPattern) == expected.map(\.bitPattern), "\(name), residual \(residual)")
                #expect(fused.contains(0) && fused.contains { $0 > 0 }, "both sides of the kink, \(name)")
            }
        }
    }

    /// `conv2dReLU` without a tape is the fused forward; with a tape it is the separate ops,
    /// so its gradients are theirs — checked here against finite differences.
    @Test func conv2dReLUFusesWithoutATapeAndDifferentiatesWithOne() {
        let x = randomTensor([2, 3, 8, 9], seed: 41), w = randomTensor([4, 3, 3, 3], seed: 42, scale: 0.4)
        let b = randomTensor([4], seed: 43), noise = randomTensor([2, 4, 8, 9], seed: 44)
        // A residual that keeps every pre-activation at least 0.5 from ReLU's kink, where
        // finite differences would straddle it.
        let pre = withNoGrad { conv2d(x, weight: w, bias: b, padding: (1, 1)) + noise }
        let r = Tensor(shape: noise.shape, scalars: zip(noise.scalars, pre.scalars).map { $0 + ($1 >= 0 ? 0.5 : -0.5) })
        let fused = withNoGrad { conv2dReLU(x, weight: w, bias: b, padding: (1, 1), adding: r) }
        let separate = withNoGrad { (conv2d(x, weight: w, bias: b, padding: (1, 1)) + r).relu() }
        #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern))
        checkGradients([x, w, b, r], "conv2dReLU") { t in
            conv2dReLU(t[0], weight: t[1], bias: t[2], padding: (1, 1), adding: t[3])
        }
    }
}
