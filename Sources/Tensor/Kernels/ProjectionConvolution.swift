/// A convolution and a 1×1 "projection" of the same input computed together — ResNet's first
/// block of a stage, whose `conv1` (3×3, stride s, padding 1) and `downsample` (1×1, stride s,
/// no padding) read the same tensor. The 1×1 convolution's column matrix is the centre-tap
/// rows of the k×k one's (`ConvolutionGeometry.centreTap`), so on the image-parallel path
/// (`ImageParallelConvolution`) the pair shares one im2col per slab in the forward pass and
/// the weight gradient, and one fold of the column gradient into the input gradient — the
/// projection reads no input and writes no input gradient of its own. Elsewhere (Winograd,
/// grouped images, weights larger than a slab's cache budget: ``ConvolutionPlan/sharesColumnsWithProjection``) the two
/// are computed one after the other by the usual kernels.
extension ConvolutionGeometry {
    /// Row of channel 0's centre tap in the column matrix, `(KH/2)·KW + KW/2`; channel `c`'s
    /// is `KH·KW` rows further per channel.
    var centreTap: Int { (kernelHeight / 2) * kernelWidth + kernelWidth / 2 }

    /// Whether a 1×1 unpadded convolution of this stride reads exactly the centre taps of this
    /// one's patches: odd kernel, padding half of it, and a column matrix that is built.
    public var hasCentreTapProjection: Bool {
        kernelHeight % 2 == 1 && kernelWidth % 2 == 1 && padY == kernelHeight / 2 && padX == kernelWidth / 2 && !isPointwise
    }

    /// The geometry of the 1×1 projection to `outChannels` that pairs with this convolution.
    public func projection(outChannels: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                            kernelHeight: 1, kernelWidth: 1, stride: (strideY, strideX), padding: (0, 0), precision: precision)
    }
}

/// The projection's operands of a forward pass: weight `O′×C`, optional bias, output `N×O′×OH×OW`.
struct ProjectionForward {
    var outChannels: Int
    var weight: UnsafePointer<Float>
    var bias: UnsafePointer<Float>?
    var y: UnsafeMutablePointer<Float>
}

/// The projection's operands of the input gradient: its output gradient and weight.
struct ProjectionInputGradient {
    var outChannels: Int
    var dy: UnsafePointer<Float>
    var weight: UnsafePointer<Float>
}

/// The projection's operands of the weight gradient: its output gradient and the weight gradient to write.
struct ProjectionWeightGradient {
    var outChannels: Int
    var dy: UnsafePointer<Float>
    var dweight: UnsafeMutablePointer<Float>
}

extension ConvolutionKernels {
    /// `y = conv(x, weight) + bias` and `y′ = conv1×1(x, projectionWeight) + projectionBias`
    /// with the stride of `g`, from one column matrix where ``ConvolutionGeometry/hasCentreTapProjection``
    /// and the image-parallel path allow.
    public static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry,
                               projectionWeight: UnsafePointer<Float>, projectionBias: UnsafePointer<Float>?,
                               _ projected: UnsafeMutablePointer<Float>, projectionChannels: Int) {
        forward(x, weight: weight, bias: bias, y, g, epilogue: .none, projection: ProjectionForward(
            outChannels: projectionChannels, weight: projectionWeight, bias: projectionBias, y: projected))
    }

    /// The pair's forward with `epilogue` applied to the first output only.
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue,
                        projection q: ProjectionForward) {
        precondition(g.hasCentreTapProjection, "projection: the convolution's kernel has no centre tap at padding k/2")
        if ConvolutionPlan(g).sharesColumnsWithProjection {
            ImageParallelConvolution.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue, projection: q)
        } else {
            forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
            forward(x, weight: q.weight, bias: q.bias, q.y, g.projection(outChannels: q.outChannels), epilogue: .none)
        }
    }

    /// `dx = convᵀ(dy, weight) + conv1×1ᵀ(projectionDY, projectionWeight)`, overwriting `dx`.
    public static func backwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     projectionDY: UnsafePointer<Float>, projectionWeight: UnsafePointer<Float>, projectionChannels: Int,
                                     _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        precondition(g.hasCentreTapProjection, "projection: the convolution's kernel has no centre tap at padding k/2")
        if ConvolutionPlan(g).sharesInputGradientWithProjection {
            ImageParallelConvolution.backwardInput(dy, weight: weight, dx, g, projection: ProjectionInputGradient(
                outChannels: projectionChannels, dy: projectionDY, weight: projectionWeight))
            return
        }
        backwardInput(dy, weight: weight, dx, g)
        let gq = g.projection(outChannels: projectionChannels)
        if ConvolutionPlan(gq).inputGradient == .imageParallel {
            // The projection's fold adds into dx: no gradient of its own, no pass to sum the two.
            ImageParallelConvolution.backwardInput(projectionDY, weight: projectionWeight, dx, gq, accumulate: true)
            return
        }
        let count = g.batch * g.inChannels * g.height * g.width
        Workspace.shared.withBuffer(count) { other in
            backwardInput(projectionDY, weight: projectionWeight, other, gq)
            ElementwiseKernels.addScaled(dx, other, scale: 1, dx, count)
        }
    }

    /// `dweight = Σ dy ⊗ patches(x)` and `projectionDWeight = Σ projectionDY ⊗ x` at the
    /// stride of `g` (both overwritten), and the biases' gradients where asked.
    public static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                      dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                      projectionDY: UnsafePointer<Float>, projectionDWeight: UnsafeMutablePointer<Float>,
                                      projectionDBias: UnsafeMutablePointer<Float>?, projectionChannels: Int,
                                      _ g: ConvolutionGeometry) {
        precondition(g.hasCentreTapProjection, "projection: the convolution's kernel has no centre tap at padding k/2")
        let gq = g.projection(outChannels: projectionChannels)
        guard ConvolutionPlan(g).sharesColumnsWithProjection else {
            backwardWeight(dy, x, dweight: dweight, dbias: dbias, g)
            backwardWeight(projectionDY, x, dweight: projectionDWeight, dbias: projectionDBias, gq)
            return
        }
        ImageParallelConvolution.backwardWeight(dy, x, dweight: dweight, g, projection: ProjectionWeightGradient(
            outChannels: projectionChannels, dy: projectionDY, dweight: projectionDWeight))
        if let dbias { ElementwiseKernels.sumOuterInner(dy, outer: g.batch, mid: g.outChannels, inner: g.outPlane, into: dbias) }
        if let projectionDBias {
            ElementwiseKernels.sumOuterInner(projectionDY, outer: g.batch, mid: projectionChannels, inner: g.outPlane, into: projectionDBias)
        }
    }
}
