import Testing
@testable import Tensor

/// A convolution and its 1×1 projection computed together (`conv2dWithProjection`, ResNet's
/// conv1 and downsample) against the two convolutions apart: the kernels on the shared-column
/// path (one and several slabs, stride 2 and 1, a non-square kernel) and on the fallback,
/// the op's gradients against finite differences, and an op whose second output gets no
/// gradient.
@Suite struct ProjectionConvolutionTests {
    static func geometry(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, kernel: (Int, Int), stride: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: o, kernelHeight: kernel.0, kernelWidth: kernel.1,
                            stride: (stride, stride), padding: (kernel.0 / 2, kernel.1 / 2))
    }

    static let cases: [(String, ConvolutionGeometry, shares: Bool)] = [
        ("3×3/2, one slab", geometry(3, 5, 21, 19, 6, kernel: (3, 3), stride: 2), true),
        ("3×3/2, two slabs", geometry(3, 32, 80, 80, 4, kernel: (3, 3), stride: 2), true),
        ("3×5/2", geometry(3, 4, 22, 25, 5, kernel: (3, 5), stride: 2), true),
        ("5×5/1", geometry(3, 3, 9, 8, 4, kernel: (5, 5), stride: 1), true),
        ("3×3/2 grouped (apart)", geometry(2, 4, 9, 9, 6, kernel: (3, 3), stride: 2), false),
        ("3×3/1 Winograd (apart)", geometry(3, 4, 10, 10, 4, kernel: (3, 3), stride: 1), false),
        ("weights past the slab budget (apart)", geometry(3, 256, 15, 15, 48, kernel: (3, 3), stride: 2), false),
    ]

    @Test func casesTakeThePathTheyName() {
        for (name, g, shares) in Self.cases {
            #expect(g.hasCentreTapProjection, "\(name)")
            #expect(ConvolutionPlan(g).sharesColumnsWithProjection == shares, "\(name)")
            if shares { #expect(ImageParallelConvolution.computesInputGradient(g), "\(name)") }
        }
        #expect(ImageParallelConvolution.slabs(Self.cases[1].1) == 2)
        #expect(!Self.geometry(1, 2, 8, 8, 2, kernel: (2, 2), stride: 2).hasCentreTapProjection)
    }

    @Test func kernelsMatchTheTwoConvolutions() {
        for (name, g, _) in Self.cases {
            let o2 = g.outChannels + 1, gq = g.projection(outChannels: o2)
            let x = randomTensor([g.batch, g.inChannels, g.height, g.width], seed: 51)
            let w = randomTensor([g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth], seed: 52, scale: 0.3)
            let q = randomTensor([o2, g.inChannels, 1, 1], seed: 53, scale: 0.3)
            let b = randomTensor([g.outChannels], seed: 54), bq = randomTensor([o2], seed: 55)
            let dy = randomTensor([g.batch, g.outChannels, g.outHeight, g.outWidth], seed: 56)
            let dq = randomTensor([g.batch, o2, g.outHeight, g.outWidth], seed: 57)
            func empty(_ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: Array(repeating: .nan, count: Tensor.elementCount(shape))) }

            let y = empty(dy.shape), z = empty(dq.shape), y0 = empty(dy.shape), z0 = empty(dq.shape)
            ConvolutionKernels.forward(x.pointer, weight: w.pointer, bias: b.pointer, y.pointer, g,
                                       projectionWeight: q.pointer, projectionBias: bq.pointer, z.pointer, projectionChannels: o2)
            ConvolutionKernels.forward(x.pointer, weight: w.pointer, bias: b.pointer, y0.pointer, g)
            ConvolutionKernels.forward(x.pointer, weight: q.pointer, bias: bq.pointer, z0.pointer, gq)
            #expect(y.scalars.map(\.bitPattern) == y0.scalars.map(\.bitPattern), "\(name): the convolution is untouched")
            expectClose(z.scalars, z0.scalars, atol: 1e-5, rtol: 1e-5, "\(name): projection")

            let dx = empty(x.shape), dx1 = empty(x.shape), dx2 = empty(x.shape)
            ConvolutionKernels.backwardInput(dy.pointer, weight: w.pointer, projectionDY: dq.pointer, projectionWeight: q.pointer,
                                             projectionChannels: o2, dx.pointer, g)
            ConvolutionKernels.backwardInput(dy.pointer, weight: w.pointer, dx1.pointer, g)
            ConvolutionKernels.backwardInput(dq.pointer, weight: q.pointer, dx2.pointer, gq)
            expectClose(dx.scalars, zip(dx1.scalars, dx2.scalars).map(+), atol: 1e-5, rtol: 1e-5, "\(name): input gradient")

            let dw = empty(w.shape), dbw = empty(b.shape), dp = empty(q.shape), dbp = empty(bq.shape)
            let dw0 = empty(w.shape), db0 = empty(b.shape), dp0 = empty(q.shape), dbp0 = empty(bq.shape)
            ConvolutionKernels.backwardWeight(dy.pointer, x.pointer, dweight: dw.pointer, dbias: dbw.pointer, projectionDY: dq.pointer,
                                              projectionDWeight: dp.pointer, projectionDBias: dbp.pointer, projectionChannels: o2, g)
            ConvolutionKernels.backwardWeight(dy.pointer, x.pointer, dweight: dw0.pointer, dbias: db0.pointer, g)
            ConvolutionKernels.backwardWeight(dq.pointer, x.pointer, dweight: dp0.pointer, dbias: dbp0.pointer, gq)
            #expect(dw.scalars.map(\.bitPattern) == dw0.scalars.map(\.bitPattern), "\(name): the convolution's weight gradient is untouched")
            #expect(dbw.scalars == db0.scalars && dbp.scalars == dbp0.scalars, "\(name): bias gradients")
            expectClose(dp.scalars, dp0.scalars, atol: 1e-4, rtol: 1e-5, "\(name): projection weight gradient")
        }
    }

    /// The image-parallel input gradient with `accumulate` adds to what `dx` holds: the same
    /// bits as the gradient plus `dx` for a 1×1 of stride 2 (the downsample) and of stride 1,
    /// equal up to rounding for a strided 3×3 over several slabs (rows two slabs share are
    /// added in another order).
    @Test func inputGradientAccumulates() {
        let geometries = [Self.geometry(3, 32, 80, 80, 4, kernel: (3, 3), stride: 2),
                          ConvolutionGeometry(batch: 3, inChannels: 4, height: 20, width: 21, outChannels: 6, kernelHeight: 1, kernelWidth: 1, stride: (2, 2)),
                          ConvolutionGeometry(batch: 3, inChannels: 4, height: 9, width: 8, outChannels: 6, kernelHeight: 1, kernelWidth: 1)]
        for g in geometries {
            #expect(ImageParallelConvolution.computesInputGradient(g))
            let w = randomTensor([g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth], seed: 91, scale: 0.3)
            let dy = randomTensor([g.batch, g.outChannels, g.outHeight, g.outWidth], seed: 92)
            let start = randomTensor([g.batch, g.inChannels, g.height, g.width], seed: 93)
            let fresh = Tensor(shape: start.shape, scalars: Array(repeating: .nan, count: start.count))
            ImageParallelConvolution.backwardInput(dy.pointer, weight: w.pointer, fresh.pointer, g)
            let summed = Tensor(shape: start.shape, scalars: start.scalars)
            ImageParallelConvolution.backwardInput(dy.pointer, weight: w.pointer, summed.pointer, g, accumulate: true)
            let expected = zip(start.scalars, fresh.scalars).map { $0 + $1 }
            if g.kernelHeight == 1 {
                #expect(zip(summed.scalars, expected).filter { $0.bitPattern != $1.bitPattern }.count == 0, "\(g)")
            } else {
                expectClose(summed.scalars, expected, atol: 1e-5, rtol: 1e-5, "\(g)")
            }
        }
    }

    /// Both outputs in the objective, with biases, on the shared path and on the fallback.
    @Test(arguments: [(3, 15, true), (2, 7, false)])
    func gradientsMatchFiniteDifferences(batch: Int, size: Int, shares: Bool) {
        let g = Self.geometry(batch, 2, size, size, 3, kernel: (3, 3), stride: 2)
        #expect(ConvolutionPlan(g).sharesColumnsWithProjection == shares)
        let x = randomTensor([batch, 2, size, size], seed: 61), w = randomTensor([3, 2, 3, 3], seed: 62, scale: 0.4)
        let q = randomTensor([4, 2, 1, 1], seed: 63, scale: 0.4), b = randomTensor([3], seed: 64), bq = randomTensor([4], seed: 65)
        let p1 = randomTensor([batch, 3, g.outHeight, g.outWidth], seed: 66), p2 = randomTensor([batch, 4, g.outHeight, g.outWidth], seed: 67)
        checkGradients([x, w, q, b, bq], "conv2dWithProjection") { t in
            let (y, z) = conv2dWithProjection(t[0], weight: t[1], bias: t[3], stride: (2, 2), padding: (1, 1), projection: t[2], projectionBias: t[4])
            return (y * p1).sum() + (z * p2).sum()
        }
    }

    /// Only one output reaches the objective: the other's parameters get no gradient, and the
    /// input's is that output's convolution's alone.
    @Test func oneOutputAlone() {
        let x = randomTensor([3, 2, 15, 15], seed: 71), w = randomTensor([3, 2, 3, 3], seed: 72), q = randomTensor([4, 2, 1, 1], seed: 73)
        for useFirst in [true, false] {
            let xs = x.requiringGrad(), ws = w.requiringGrad(), qs = q.requiringGrad()
            let (y, z) = conv2dWithProjection(xs, weight: ws, stride: (2, 2), padding: (1, 1), projection: qs)
            (useFirst ? y : z).sum().backward()
            let xr = x.requiringGrad()
            (useFirst ? conv2d(xr, weight: w, stride: (2, 2), padding: (1, 1)) : conv2d(xr, weight: q, stride: (2, 2))).sum().backward()
            #expect((useFirst ? ws.grad : qs.grad) != nil && (useFirst ? qs.grad : ws.grad) == nil)
            #expect(xs.grad?.scalars == xr.grad?.scalars, "first output: \(useFirst)")
        }
    }

    /// Without a tape, `reLU` is applied as the first output is written; with one it is the ReLU op.
    @Test func reLUOnTheFirstOutput() {
        let x = randomTensor([3, 2, 15, 15], seed: 81), w = randomTensor([3, 2, 3, 3], seed: 82), q = randomTensor([4, 2, 1, 1], seed: 83)
        let fused = withNoGrad { conv2dWithProjection(x, weight: w, stride: (2, 2), padding: (1, 1), projection: q, reLU: true) }
        let taped = conv2dWithProjection(x.requiringGrad(), weight: w, stride: (2, 2), padding: (1, 1), projection: q, reLU: true)
        let plain = withNoGrad { conv2d(x, weight: w, stride: (2, 2), padding: (1, 1)).relu() }
        #expect(fused.output.scalars == plain.scalars && taped.output.scalars == plain.scalars)
        #expect(fused.projected.scalars == taped.projected.scalars && fused.output.scalars.contains(0))
    }
}
