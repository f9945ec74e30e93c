import Tensor

/// torchvision's `BasicBlock`: two 3×3 convolutions with batch norm, and a 1×1
/// convolution + batch norm on the shortcut when the shape changes.
public final class BasicBlock: Layer {
    /// Training mode (batch statistics) or evaluation mode (running statistics).
    public var isTraining = true
    /// The first 3×3 convolution (stride 2 when the block downsamples).
    public let conv1: Conv2d
    /// Batch norm after `conv1`.
    public let bn1: BatchNorm2d
    /// torchvision's `relu` module, kept for the layer list; the forward fuses it into the batch norms.
    public let relu = ReLU()
    /// The second 3×3 convolution.
    public let conv2: Conv2d
    /// Batch norm after `conv2`.
    public let bn2: BatchNorm2d
    /// The shortcut's 1×1 convolution + batch norm when the shape changes (nil: identity).
    public let downsample: Sequential?

    /// A block from `inPlanes` to `planes` channels, initialised from `generator` as torchvision does.
    public init(_ inPlanes: Int, _ planes: Int, stride: Int, generator: inout RandomGenerator) {
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: 1, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2d(planes)
        if stride != 1 || inPlanes != planes {
            downsample = Sequential([
                Conv2d(inPlanes, planes, kernelSize: 1, stride: stride, bias: false, generator: &generator),
                BatchNorm2d(planes),
            ])
        } else {
            downsample = nil
        }
    }

    /// `relu(bn2(conv2(relu(bn1(conv1(x))))) + identity)`, each batch norm fused with what
    /// follows it (`BatchNormalization.withReLU(_:adding:)`: the same numbers as the layers
    /// one by one, fewer passes and activations).
    ///
    /// In inference (evaluation mode, no gradient tape) each batch norm is folded into the
    /// convolution before it (`BatchNormalization.folded(into:)`) and the ReLU and the
    /// residual add are applied as the convolution writes its output: one pass over the
    /// activations per convolution, equal to the layers one by one up to rounding.
    ///
    /// A downsample whose 1×1 convolution has `conv1`'s stride is computed together with
    /// `conv1` (`conv2dWithProjection`: one column matrix for both) where
    /// `ConvolutionPlanner.pairsProjection` says so (not with `FASHION_KERNELS=v1`, which
    /// keeps the kernels of before).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if ResNet18.foldsBatchNorm(bn1) { return folded(x) }
        if let (conv, bn) = pairedDownsample {
            let (h, d) = conv2dWithProjection(x, weight: conv1.weight.value, bias: conv1.bias?.value, stride: conv1.stride,
                                              padding: conv1.padding, projection: conv.weight.value, projectionBias: conv.bias?.value)
            return bn2.withReLU(conv2(bn1.withReLU(h)), adding: bn(d))
        }
        let out = conv2(bn1.withReLU(conv1(x)))
        let identity = downsample.map { $0(x) } ?? x
        return bn2.withReLU(out, adding: identity)
    }

    /// The downsample's layers.
    private var downsampleLayers: (Conv2d, BatchNorm2d)? {
        guard let downsample else { return nil }
        // init builds it as [Conv2d, BatchNorm2d]
        guard downsample.layers.count == 2, let conv = downsample.layers[0] as? Conv2d,
              let bn = downsample.layers[1] as? BatchNorm2d else { preconditionFailure("BasicBlock: downsample must be [Conv2d, BatchNorm2d]") }
        return (conv, bn)
    }

    /// The downsample's layers when its convolution reads the centre taps of `conv1`'s patches.
    private var pairedDownsample: (Conv2d, BatchNorm2d)? {
        guard let (conv, bn) = downsampleLayers else { return nil }
        let k = conv1.weight.value.shape, p = conv.weight.value.shape
        guard ConvolutionPlanner.pairsProjection(kernel: (k[2], k[3]), stride: conv1.stride, padding: conv1.padding),
              p[2] == 1, p[3] == 1, conv.padding == (0, 0), conv.stride == conv1.stride else { return nil }
        return (conv, bn)
    }

    private func folded(_ x: Tensor) -> Tensor {
        let f1 = bn1.folded(into: conv1), f2 = bn2.folded(into: conv2)
        let h: Tensor, identity: Tensor
        if let (conv, bn) = pairedDownsample {
            let f = bn.folded(into: conv)
            (h, identity) = conv2dWithProjection(x, weight: f1.weight, bias: f1.bias, stride: conv1.stride, padding: conv1.padding,
                                                 projection: f.weight, projectionBias: f.bias, reLU: true)
        } else {
            h = conv2dReLU(x, weight: f1.weight, bias: f1.bias, stride: conv1.stride, padding: conv1.padding)
            if let (conv, bn) = downsampleLayers {
                let f = bn.folded(into: conv)
                identity = conv2d(x, weight: f.weight, bias: f.bias, stride: conv.stride, padding: conv.padding)
            } else {
                identity = x
            }
        }
        return conv2dReLU(h, weight: f2.weight, bias: f2.bias, stride: conv2.stride, padding: conv2.padding, adding: identity)
    }
}

/// ResNet-18 exactly as torchvision's `resnet18` (layer list and `state_dict` names:
/// `conv1`, `bn1`, `layer1.0.conv1`, …, `fc`; 122 keys), any class count, and an
/// optional small-image stem (3×3 stride-1 `conv1`, no max-pool) for 28–64 px inputs.
public final class ResNet18: Layer {
    /// The first layers before `layer1`.
    public enum Stem: String, Sendable, Codable, CaseIterable {
        /// torchvision's 7×7 stride-2 convolution and 3×3 stride-2 max-pool (224 px inputs).
        case imagenet
        /// A 3×3 stride-1 convolution and no max-pool, for small images such as Fashion-MNIST
        /// (`layer1` runs at the full input resolution).
        case small
        /// A 3×3 stride-1 convolution, then torchvision's 3×3 stride-2 max-pool: `layer1` at half
        /// the input resolution — a quarter of `.small`'s cost, for 28–64 px images on a CPU.
        case compact
    }

    /// How weights are initialised.
    public enum Initialization: String, Sendable, Codable, CaseIterable {
        /// torchvision's: Kaiming-normal (fan_out, ReLU) convolutions, BN γ=1 β=0, PyTorch's default `fc`.
        case torchvision
        /// The camp's: Kaiming-uniform (fan_in, ReLU gain) on every Conv2d and Linear, zero biases.
        case kaimingUniform
    }

    /// Training mode (batch statistics) or evaluation mode (running statistics).
    public var isTraining = true
    /// Which stem the network has.
    public let stem: Stem
    /// The stem's convolution (7×7 stride 2, or 3×3 stride 1 for the compact stem).
    public let conv1: Conv2d
    /// Batch norm after the stem's convolution.
    public let bn1: BatchNorm2d
    /// torchvision's `relu` module, kept for the layer list; the forward fuses it into `bn1`.
    public let relu = ReLU()
    /// The stem's 3×3 max pool (nil in the compact stem).
    public let maxpool: MaxPool2d?
    /// The four stages of two ``BasicBlock``s each: 64, 128, 256 and 512 channels.
    public let layer1: Sequential, layer2: Sequential, layer3: Sequential, layer4: Sequential
    /// Global average pooling to the 512-d features.
    public let avgpool = AdaptiveAvgPool2d()
    /// The classifier over the 512-d features.
    public let fc: Linear

    /// - Parameters:
    ///   - classes: outputs of `fc`.
    ///   - inputChannels: 3 for RGB, 1 for grey images.
    public init(classes: Int = 1000, inputChannels: Int = 3, stem: Stem = .imagenet,
                initialization: Initialization = .torchvision, seed: UInt64 = 42) {
        var g = RandomGenerator(seed: seed)
        self.stem = stem
        switch stem {
        case .imagenet:
            conv1 = Conv2d(inputChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, generator: &g)
            maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        case .small:
            conv1 = Conv2d(inputChannels, 64, kernelSize: 3, stride: 1, padding: 1, bias: false, generator: &g)
            maxpool = nil
        case .compact:
            conv1 = Conv2d(inputChannels, 64, kernelSize: 3, stride: 1, padding: 1, bias: false, generator: &g)
            maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        }
        bn1 = BatchNorm2d(64)
        func stage(_ inPlanes: Int, _ planes: Int, _ stride: Int) -> Sequential {
            Sequential([BasicBlock(inPlanes, planes, stride: stride, generator: &g),
                        BasicBlock(planes, planes, stride: 1, generator: &g)])
        }
        layer1 = stage(64, 64, 1)
        layer2 = stage(64, 128, 2)
        layer3 = stage(128, 256, 2)
        layer4 = stage(256, 512, 2)
        fc = Linear(512, classes, generator: &g)
        initialize(initialization, generator: &g)
    }

    private func initialize(_ scheme: Initialization, generator g: inout RandomGenerator) {
        for (_, m) in namedModules {
            switch (scheme, m) {
            case (.torchvision, let c as Conv2d):
                c.weight.assign(Initializer.kaimingNormal(c.weight.shape, mode: .fanOut, generator: &g))
            case (.kaimingUniform, let c as Conv2d):
                c.weight.assign(Initializer.kaimingUniform(c.weight.shape, mode: .fanIn, generator: &g))
                if let b = c.bias { b.assign(.zeros(b.shape)) }
            case (.kaimingUniform, let l as Linear):
                l.weight.assign(Initializer.kaimingUniform(l.weight.shape, mode: .fanIn, generator: &g))
                if let b = l.bias { b.assign(.zeros(b.shape)) }
            default: break
            }
        }
    }

    /// The 512-d pooled feature vector per image (the network with `fc` replaced by identity).
    public func features(_ x: Tensor) -> Tensor {
        var h: Tensor
        if Self.foldsBatchNorm(bn1) {
            let f = bn1.folded(into: conv1)
            h = conv2dReLU(x, weight: f.weight, bias: f.bias, stride: conv1.stride, padding: conv1.padding)
        } else {
            h = bn1.withReLU(conv1(x))
        }
        if let maxpool { h = maxpool(h) }
        h = layer4(layer3(layer2(layer1(h))))
        return avgpool(h).flattened(startDim: 1)
    }

    /// Whether a forward pass folds batch norm into the convolutions: in evaluation mode,
    /// with no gradient tape (`withNoGrad`), when `ConvolutionPlanner.foldsBatchNormInInference`
    /// (not with `FASHION_KERNELS=v1`, the kernels of before, which reproduce earlier results to the bit).
    static func foldsBatchNorm(_ bn: BatchNormalization) -> Bool {
        !bn.isTraining && !GradMode.isEnabled && ConvolutionPlanner.foldsBatchNormInInference
    }

    /// Class logits.
    public func callAsFunction(_ x: Tensor) -> Tensor { fc(features(x)) }
}
