import Testing
@testable import Tensor

/// The image-parallel im2col + GEMM path against naive loops: several output-row slabs per
/// image (so the input gradient folds slabs whose input rows overlap), strides 1–3 (the
/// stride-2 interleave and the general phase rows), kernels narrower than the stride (input
/// rows no output reads), 1×1 stride-2 (its own fold), padding, odd widths and bias; outputs
/// start as NaN, so every element must be written.
@Suite struct ImageParallelConvolutionTests {
    @Test(arguments: [
        // (N, C, H, W, O, K, stride, pad)
        (3, 3, 64, 64, 8, 7, 2, 3),     // conv1 in miniature: two slabs
        (2, 3, 160, 64, 4, 7, 2, 3),    // four slabs: middle ones overlap on both sides
        (3, 8, 100, 61, 8, 3, 2, 1),    // stride-2 3×3, odd width: two slabs
        (2, 4, 100, 100, 64, 1, 2, 0),  // 1×1 stride 2: two slabs
        (3, 5, 37, 38, 6, 1, 2, 0),     // 1×1 stride 2, odd height, one slab
        (2, 3, 45, 47, 5, 5, 1, 2),     // stride 1, 5×5
        (2, 4, 50, 53, 4, 5, 3, 2),     // stride 3: three phase rows
        (2, 3, 40, 41, 4, 2, 3, 0),     // 2×2 stride 3: rows and columns nothing reads
        (2, 3, 30, 30, 4, 1, 1, 1),     // padded 1×1
    ])
    func matchesNaiveLoops(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int) {
        let g = ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o,
                                    kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p))
        KernelTests.expectMatchesNaiveLoops(g, seed: 21, "image-parallel",
            forward: { x, wt, b, y in ImageParallelConvolution.forward(x, weight: wt, bias: b, y, g) },
            backwardInput: { dy, wt, dx in ImageParallelConvolution.backwardInput(dy, weight: wt, dx, g) },
            backwardWeight: { dy, x, dw in ImageParallelConvolution.backwardWeight(dy, x, dweight: dw, g) })
    }

    @Test func slabsCutLargeMapsAndKeepGEMMsWide() {
        let conv1 = ConvolutionGeometry(batch: 16, inChannels: 3, height: 224, width: 224, outChannels: 64,
                                        kernelHeight: 7, kernelWidth: 7, stride: (2, 2), padding: (3, 3))
        #expect(ImageParallelConvolution.slabs(conv1) > 1)
        #expect(ImageParallelConvolution.slabRows(conv1) * conv1.outWidth >= ImageParallelConvolution.minimumColumns)
        for (shape, slabs) in [((3, 64, 64, 8, 7, 2, 3), 2), ((3, 160, 64, 4, 7, 2, 3), 4), ((8, 100, 61, 8, 3, 2, 1), 2), ((4, 100, 100, 64, 1, 2, 0), 2), ((3, 224, 224, 64, 7, 2, 3), 16)] {
            let (c, h, w, o, k, s, p) = shape
            let g = ConvolutionGeometry(batch: 2, inChannels: c, height: h, width: w, outChannels: o,
                                        kernelHeight: k, kernelWidth: k, stride: (s, s), padding: (p, p))
            #expect(ImageParallelConvolution.slabs(g) == slabs, "\(shape)")
        }
        // Maps under 7×7 group images instead.
        let small = ConvolutionGeometry(batch: 64, inChannels: 8, height: 6, width: 6, outChannels: 8,
                                        kernelHeight: 1, kernelWidth: 1, stride: (2, 2))
        #expect(!ImageParallelConvolution.computes(small) && !ImageParallelConvolution.computesInputGradient(small))
    }
}
