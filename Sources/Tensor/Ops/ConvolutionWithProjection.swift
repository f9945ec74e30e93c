/// `conv2d(x, weight, bias, stride, padding)` and the 1×1 convolution
/// `conv2d(x, projection, projectionBias, stride)` of the same input, computed together —
/// ResNet's `conv1` and `downsample` at the start of a stage.
///
/// The 1×1 convolution reads exactly the centre taps of the first one's patches, so the two
/// share one column matrix per slab in the forward pass and the weight gradients, and one
/// fold in the input gradient (``ConvolutionKernels/backwardInput(_:weight:projectionDY:projectionWeight:projectionChannels:_:_:)``):
/// the projection costs its GEMMs and nothing else. The results equal the two `conv2d` calls
/// up to rounding (the input gradient is summed before the fold instead of after).
///
/// - Parameters:
///   - x: input, N×C×H×W.
///   - weight: O×C×KH×KW with odd KH and KW; `padding` must be (KH/2, KW/2).
///   - projection: O′×C×1×1.
///   - projectionBias: optional, O′.
///   - reLU: whether the first output is `relu(conv2d(…))` (applied as it is written when
///     nothing needs a gradient).
///   - The others: as in `conv2d`.
/// - Returns: the convolution (N×O×OH×OW) and the projection (N×O′×OH×OW).
public func conv2dWithProjection(_ x: Tensor, weight: Tensor, bias: Tensor? = nil,
                                 stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                                 projection: Tensor, projectionBias: Tensor? = nil,
                                 reLU: Bool = false) -> (output: Tensor, projected: Tensor) {
    let g = convolutionGeometry(x, weight: weight, bias: bias, stride: stride, padding: padding)
    precondition(g.hasCentreTapProjection,
                 "conv2dWithProjection: kernel \(g.kernelHeight)×\(g.kernelWidth) with padding \(padding) has no centre tap (odd kernel, padding k/2)")
    precondition(projection.rank == 4 && projection.shape[1] == g.inChannels && projection.shape[2] == 1 && projection.shape[3] == 1,
                 "conv2dWithProjection: projection \(projection.shape) should be [O′, \(g.inChannels), 1, 1]")
    let o2 = projection.shape[0]
    if let projectionBias { precondition(projectionBias.shape == [o2], "conv2dWithProjection: projection bias \(projectionBias.shape) should be [\(o2)]") }
    let recorded = GradMode.isEnabled && [x, weight, bias, projection, projectionBias].contains { $0?.requiresGrad ?? false }
    var y = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outHeight, g.outWidth])
    var z = Tensor(uninitializedShape: [g.batch, o2, g.outHeight, g.outWidth])
    ConvolutionKernels.forward(x.pointer, weight: weight.pointer, bias: bias?.pointer, y.pointer, g,
                               epilogue: OutputEpilogue(residual: nil, relu: reLU && !recorded),
                               projection: ProjectionForward(outChannels: o2, weight: projection.pointer,
                                                             bias: projectionBias?.pointer, y: z.pointer))
    guard recorded else { return (y, z) }
    let xs = x.detached(), ws = weight.detached(), ps = projection.detached()
    let need = [x, weight, projection, bias, projectionBias].map { $0?.requiresGrad ?? false }
    var inputs = [x, weight, projection]
    if let bias { inputs.append(bias) }
    if let projectionBias { inputs.append(projectionBias) }
    let gq = g.projection(outChannels: o2)
    Tensor.record("conv2d", detail: "\(g.kernelHeight)×\(g.kernelWidth)/\(g.strideY) \(g.inChannels)→\(g.outChannels) and 1×1/\(g.strideY) →\(o2) at \(g.height)×\(g.width)",
                  &y, &z, inputs: inputs) { dy, dq in
        var dx: Tensor? = nil
        if need[0] {
            // The joint node runs only once a gradient reached at least one output.
            let t = Tensor(uninitializedShape: xs.shape)
            if let dy, let dq {
                ConvolutionKernels.backwardInput(dy.pointer, weight: ws.pointer, projectionDY: dq.pointer, projectionWeight: ps.pointer,
                                                 projectionChannels: o2, t.pointer, g)
            } else if let dy {
                ConvolutionKernels.backwardInput(dy.pointer, weight: ws.pointer, t.pointer, g)
            } else if let dq {
                ConvolutionKernels.backwardInput(dq.pointer, weight: ps.pointer, t.pointer, gq)
            }
            dx = t
        }
        let mainNeeded = dy != nil && (need[1] || need[3]), projectionNeeded = dq != nil && (need[2] || need[4])
        let dw = mainNeeded ? Tensor(uninitializedShape: ws.shape) : nil
        let db = mainNeeded && need[3] ? Tensor(uninitializedShape: [g.outChannels]) : nil
        let dp = projectionNeeded ? Tensor(uninitializedShape: ps.shape) : nil
        let dpb = projectionNeeded && need[4] ? Tensor(uninitializedShape: [o2]) : nil
        if let dy, let dq, let dw, let dp {
            ConvolutionKernels.backwardWeight(dy.pointer, xs.pointer, dweight: dw.pointer, dbias: db?.pointer,
                                              projectionDY: dq.pointer, projectionDWeight: dp.pointer, projectionDBias: dpb?.pointer,
                                              projectionChannels: o2, g)
        } else {
            if let dy, let dw { ConvolutionKernels.backwardWeight(dy.pointer, xs.pointer, dweight: dw.pointer, dbias: db?.pointer, g) }
            if let dq, let dp { ConvolutionKernels.backwardWeight(dq.pointer, xs.pointer, dweight: dp.pointer, dbias: dpb?.pointer, gq) }
        }
        var grads: [Tensor?] = [dx, need[1] ? dw : nil, need[2] ? dp : nil]
        if bias != nil { grads.append(db) }
        if projectionBias != nil { grads.append(dpb) }
        return grads
    }
    guard reLU else { return (y, z) }
    return (y.relu(), z)
}
