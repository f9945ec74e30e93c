/// 2-d convolution (`torch.nn.functional.conv2d`, groups = 1, dilation = 1): forward by
/// ``ConvolutionKernels/forward(_:weight:bias:_:_:)``, backward by the input- and
/// weight-gradient kernels, side by side. Under ``withAutocast(_:_:)`` in bf16 every product
/// of the forward and of its backward takes bf16 operands (``ConvolutionGeometry/precision``).
///
/// - Parameters:
///   - x: input, N×C×H×W.
///   - weight: O×C×KH×KW.
///   - bias: optional, O.
///   - stride, padding: (vertical, horizontal).
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil,
                   stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) -> Tensor {
    let g = convolutionGeometry(x, weight: weight, bias: bias, stride: stride, padding: padding)
    let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
    // A recorded Winograd F(2×2) convolution keeps its weights' transform for the input gradient,
    // which reads the same U (permuted and transposed) instead of transforming the weights again.
    let transform = needX && GradMode.isEnabled ? winogradTransformForBackward(weight, g) : nil
    var y = transform.map { winogradForward(x, transformedWeights: $0, bias: bias, g) }
        ?? convolutionForward(x, weight: weight, bias: bias, g, epilogue: .none)
    let xs = x.detached(), ws = weight.detached()
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    Tensor.record("conv2d", detail: "\(g.kernelHeight)×\(g.kernelWidth)/\(g.strideY) \(g.inChannels)→\(g.outChannels) at \(g.height)×\(g.width)", &y, inputs: inputs) { dy in
        var grads: [Tensor?] = [nil, nil]
        if needX {
            let dx = Tensor(uninitializedShape: xs.shape)
            if let transform {
                WinogradKernels.backwardInput(dy.pointer, transformedWeights: transform.pointer, dx.pointer, g)
            } else {
                ConvolutionKernels.backwardInput(dy.pointer, weight: ws.pointer, dx.pointer, g)
            }
            grads[0] = dx
        }
        var db: Tensor? = nil
        if needW || needB {
            let dw = Tensor(uninitializedShape: ws.shape)
            db = needB ? Tensor(uninitializedShape: [g.outChannels]) : nil
            ConvolutionKernels.backwardWeight(dy.pointer, xs.pointer, dweight: dw.pointer, dbias: db?.pointer, g)
            grads[1] = needW ? dw : nil
        }
        if bias != nil { grads.append(db) }
        return grads
    }
    return y
}

/// `relu(conv2d(x, weight, bias) + residual)`, or `relu(conv2d(x, weight, bias))` without a
/// residual: ResNet's convolution, batch norm, add and ReLU once the batch norm is folded
/// into the convolution (``BatchNormalization/folded(into:)``).
///
/// When nothing needs a gradient (inside ``withNoGrad(_:)``, or no input requires one) the
/// add and the ReLU are applied to each part of the output as the convolution writes it,
/// while it is in cache — no pass over the activations of their own. Otherwise this is the
/// separate differentiable ops, `conv2d`, `+` and ``Tensor/relu()``.
///
/// - Parameters:
///   - residual: added before the ReLU; the convolution's output shape.
///   - The others: as in `conv2d`.
public func conv2dReLU(_ x: Tensor, weight: Tensor, bias: Tensor? = nil,
                       stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                       adding residual: Tensor? = nil) -> Tensor {
    let recorded = GradMode.isEnabled && [x, weight, bias, residual].contains { $0?.requiresGrad ?? false }
    guard !recorded else {
        let y = conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
        return (residual.map { y + $0 } ?? y).relu()
    }
    let g = convolutionGeometry(x, weight: weight, bias: bias, stride: stride, padding: padding)
    if let residual {
        precondition(residual.shape == [g.batch, g.outChannels, g.outHeight, g.outWidth],
                     "conv2dReLU: residual \(residual.shape) ≠ output [\(g.batch), \(g.outChannels), \(g.outHeight), \(g.outWidth)]")
    }
    return convolutionForward(x, weight: weight, bias: bias, g,
                              epilogue: OutputEpilogue(residual: residual.map { UnsafePointer($0.pointer) }, relu: true))
}

/// The Winograd F(2×2) transform of `weight` when both the forward and the input gradient of
/// `g` take F(2×2) (the same function the kernels call, so the same bits), else nil.
func winogradTransformForBackward(_ weight: Tensor, _ g: ConvolutionGeometry) -> TensorStorage? {
    let plan = ConvolutionPlan(g)
    guard g.batch > 0, plan.forward == .winogradF2, plan.inputGradient == .winogradF2 else { return nil }
    let u = TensorStorage(uninitializedCount: 16 * g.outChannels * g.inChannels)
    WinogradKernels.transformWeights(weight.pointer, outChannels: g.outChannels, inChannels: g.inChannels, u.pointer)
    return u
}

/// The F(2×2) forward from a transform made by ``winogradTransformForBackward(_:_:)``.
func winogradForward(_ x: Tensor, transformedWeights u: TensorStorage, bias: Tensor?, _ g: ConvolutionGeometry) -> Tensor {
    let y = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outHeight, g.outWidth])
    WinogradKernels.forward(x.pointer, transformedWeights: u.pointer, bias: bias?.pointer, y.pointer, g)
    return y
}

/// Checks the operands of a convolution and returns its geometry.
func convolutionGeometry(_ x: Tensor, weight: Tensor, bias: Tensor?,
                                 stride: (Int, Int), padding: (Int, Int)) -> ConvolutionGeometry {
    precondition(x.rank == 4, "conv2d: input must be N×C×H×W, got \(x.shape)")
    precondition(weight.rank == 4 && weight.shape[1] == x.shape[1],
                 "conv2d: weight \(weight.shape) does not match input channels of \(x.shape)")
    precondition(stride.0 > 0 && stride.1 > 0 && padding.0 >= 0 && padding.1 >= 0, "conv2d: bad stride \(stride) or padding \(padding)")
    let g = ConvolutionGeometry(batch: x.shape[0], inChannels: x.shape[1], height: x.shape[2], width: x.shape[3],
                                outChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                stride: stride, padding: padding, precision: Autocast.precision)
    // Not g.outHeight > 0: (h + 2p − k) / s + 1 truncates −1 / 2 to 0 and would say 1.
    precondition(g.height + 2 * g.padY >= g.kernelHeight && g.width + 2 * g.padX >= g.kernelWidth, "conv2d: kernel \(weight.shape[2])×\(weight.shape[3]) larger than padded input \(x.shape)")
    if let bias { precondition(bias.shape == [g.outChannels], "conv2d: bias \(bias.shape) should be [\(g.outChannels)]") }
    return g
}

/// The forward pass into a new tensor, with `epilogue` applied as the output is written.
func convolutionForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvolutionGeometry,
                                epilogue: OutputEpilogue) -> Tensor {
    let y = Tensor(uninitializedShape: [g.batch, g.outChannels, g.outHeight, g.outWidth])
    guard g.batch > 0 else { return y }   // an empty batch gives an empty output, as in PyTorch
    if !GradMode.isEnabled, let tile = ConvolutionPlan(g).winogradTile {
        // Inference: the weights' transform (in bf16 rounded too) is cached across batches (WinogradWeightCache).
        if tile == .f2x2, g.precision == .bf16 {
            let (u, u16) = WinogradWeightCache.shared.rounded(weight.storage, outChannels: g.outChannels, inChannels: g.inChannels)
            withExtendedLifetime(u16) {
                WinogradKernels.forward(x.pointer, transformedWeights: u.pointer, bias: bias?.pointer, y.pointer, g, epilogue: epilogue,
                                        roundedWeights: UnsafePointer(u16.pointer))
            }
            return y
        }
        let u = WinogradWeightCache.shared.transformed(weight.storage, outChannels: g.outChannels, inChannels: g.inChannels, tile: tile)
        switch tile {
        case .f2x2: WinogradKernels.forward(x.pointer, transformedWeights: u.pointer, bias: bias?.pointer, y.pointer, g, epilogue: epilogue)
        case .f4x4: WinogradF4Kernels.forward(x.pointer, transformedWeights: u.pointer, bias: bias?.pointer, y.pointer, g, epilogue: epilogue)
        }
    } else {
        ConvolutionKernels.forward(x.pointer, weight: weight.pointer, bias: bias?.pointer, y.pointer, g, epilogue: epilogue)
    }
    return y
}
