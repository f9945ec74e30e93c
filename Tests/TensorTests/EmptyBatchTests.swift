import Testing
@testable import Tensor

/// A batch of no images (N = 0) goes through the convolutions as in PyTorch: an empty output,
/// an empty input gradient, and weight and bias gradients of zero — on every path (Winograd
/// F(2×2) and F(4×4), the Winograd inference cache, im2col grouped and image-parallel, 1×1, the
/// pair with a projection). It used to stop on a division by zero (`fashion bench features
/// --batch 0`).
@Suite struct EmptyBatchTests {
    /// (channels, outputs, kernel, stride, padding, side): Winograd's 3×3/1 on a small and a
    /// large map, im2col's 3×3/2, 1×1/2 and 7×7/2.
    static let shapes = [(4, 8, 3, 1, 1, 8), (4, 8, 3, 1, 1, 40), (4, 8, 3, 2, 1, 16), (4, 8, 1, 2, 0, 16), (3, 8, 7, 2, 3, 32)]

    @Test(arguments: 0..<5) func kernelsWriteNothingAndZeroTheWeightGradient(_ i: Int) {
        let (c, o, k, s, p, side) = Self.shapes[i]
        let g = ConvolutionGeometry(batch: 0, inChannels: c, height: side, width: side, outChannels: o,
                                    kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p))
        let w = randomTensor([o, c, k, k], seed: 1)
        // The activations are empty: one NaN each stands for memory that must not be touched.
        let x = Tensor(shape: [1], scalars: [.nan]), dy = Tensor(shape: [1], scalars: [.nan])
        let y = Tensor(shape: [1], scalars: [.nan]), dx = Tensor(shape: [1], scalars: [.nan])
        let dw = Tensor(shape: w.shape, scalars: Array(repeating: .nan, count: w.count))
        let db = Tensor(shape: [o], scalars: Array(repeating: .nan, count: o))
        ConvolutionKernels.forward(x.pointer, weight: w.pointer, bias: nil, y.pointer, g)
        ConvolutionKernels.backwardInput(dy.pointer, weight: w.pointer, dx.pointer, g)
        ConvolutionKernels.backwardWeight(dy.pointer, x.pointer, dweight: dw.pointer, dbias: db.pointer, g)
        #expect(y.scalars[0].isNaN && dx.scalars[0].isNaN)
        #expect(dw.scalars.allSatisfy { $0 == 0 } && db.scalars.allSatisfy { $0 == 0 })
    }

    @Test(arguments: 0..<5) func opsGiveEmptyOutputsAndZeroParameterGradients(_ i: Int) {
        let (c, o, k, s, p, side) = Self.shapes[i]
        let x = Tensor.zeros([0, c, side, side]).requiringGrad()
        let w = randomTensor([o, c, k, k], seed: 2).requiringGrad(), b = randomTensor([o], seed: 3).requiringGrad()
        let y = conv2d(x, weight: w, bias: b, stride: (s, s), padding: (p, p))
        let out = (side + 2 * p - k) / s + 1
        #expect(y.shape == [0, o, out, out])
        y.sum().backward()
        #expect(x.grad?.shape == [0, c, side, side])
        #expect(w.grad?.scalars == Array(repeating: 0, count: w.count) && b.grad?.scalars == Array(repeating: 0, count: o))
        // Inference (no tape: the Winograd weight cache and the fused epilogue).
        let z = withNoGrad { conv2dReLU(Tensor.zeros([0, c, side, side]), weight: w, bias: b, stride: (s, s), padding: (p, p)) }
        #expect(z.shape == [0, o, out, out])
    }

    @Test func thePairGivesTwoEmptyOutputs() {
        let x = Tensor.zeros([0, 4, 16, 16]).requiringGrad()
        let w = randomTensor([8, 4, 3, 3], seed: 4).requiringGrad(), q = randomTensor([6, 4, 1, 1], seed: 5).requiringGrad()
        let (y, z) = conv2dWithProjection(x, weight: w, stride: (2, 2), padding: (1, 1), projection: q)
        #expect(y.shape == [0, 8, 8, 8] && z.shape == [0, 6, 8, 8])
        (y.sum() + z.sum()).backward()
        #expect(w.grad?.scalars == Array(repeating: 0, count: w.count) && q.grad?.scalars == Array(repeating: 0, count: q.count))
        #expect(x.grad?.shape == [0, 4, 16, 16])
    }

    /// The size check refuses only a kernel larger than the padded input: a 3×3 kernel with
    /// padding 1 on a 1×1 map (h + 2p = k) still gives one output, the centre tap's product,
    /// and so does a 3×3 stride-2 max-pool with padding 1.
    @Test func aKernelAsLargeAsThePaddedInputStillWorks() {
        let x = Tensor(shape: [2, 1, 1, 1], scalars: [3, -2])
        let w = Tensor(shape: [1, 1, 3, 3], scalars: [0, 0, 0, 0, 5, 0, 0, 0, 0])
        #expect(conv2d(x, weight: w, stride: (2, 2), padding: (1, 1)).scalars == [15, -10])
        #expect(x.maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)).scalars == [3, -2])
    }
}
