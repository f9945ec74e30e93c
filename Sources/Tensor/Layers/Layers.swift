/// 2-d convolution layer, `torch.nn.Conv2d` (groups 1, dilation 1), with PyTorch's default init.
public final class Conv2d: Layer {
    public var isTraining = true
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: (Int, Int), padding: (Int, Int)

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, generator: inout RandomGenerator) {
        let shape = [outChannels, inChannels, kernelSize, kernelSize]
        weight = Parameter(Initializer.defaultWeight(shape, generator: &generator))
        self.bias = bias ? Parameter(Initializer.defaultBias(count: outChannels, weightShape: shape, generator: &generator)) : nil
        self.stride = (stride, stride); self.padding = (padding, padding)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding)
    }
}

/// Fully connected layer, `torch.nn.Linear`, with PyTorch's default init.
public final class Linear: Layer {
    public var isTraining = true
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout RandomGenerator) {
        let shape = [outFeatures, inFeatures]
        weight = Parameter(Initializer.defaultWeight(shape, generator: &generator))
        self.bias = bias ? Parameter(Initializer.defaultBias(count: outFeatures, weightShape: shape, generator: &generator)) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weight: weight.value, bias: bias?.value) }
}

/// Batch normalisation with running statistics, shared by ``BatchNorm2d`` and ``BatchNorm1d``.
public class BatchNormalization: Layer {
    public var isTraining = true
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Buffer
    public let runningVariance: Buffer
    public let batchesTracked: Buffer
    public let momentum: Float, eps: Float
    /// The last ``folded(into:)`` result, reused while its sources are unchanged.
    var foldCache: FoldedConvolution?

    public init(_ features: Int, momentum: Float = 0.1, eps: Float = 1e-5) {
        weight = Parameter(.ones([features]))
        bias = Parameter(.zeros([features]))
        runningMean = Buffer(.zeros([features]), key: "running_mean")
        runningVariance = Buffer(.ones([features]), key: "running_var")
        batchesTracked = Buffer(.zeros([]), key: "num_batches_tracked", elementType: .int64)
        self.momentum = momentum; self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { apply(x, residual: nil, relu: false) }

    /// `relu(self(x) + residual)` (or `relu(self(x))`) in one pass — ``batchNormReLU(_:adding:runningMean:runningVariance:weight:bias:training:momentum:eps:)``:
    /// the same values, gradients and running statistics as the separate layers, with one
    /// activation fewer kept for backward and two fewer passes over memory.
    public func withReLU(_ x: Tensor, adding residual: Tensor? = nil) -> Tensor {
        apply(x, residual: residual, relu: true)
    }

    /// The subclass's rank check (BatchNorm2d: N×C×H×W; BatchNorm1d: N×C or N×C×L).
    func checkInput(_ x: Tensor) {}

    private func apply(_ x: Tensor, residual: Tensor?, relu: Bool) -> Tensor {
        checkInput(x)
        var rm: Tensor? = runningMean.value, rv: Tensor? = runningVariance.value
        runningMean.value = .zeros([0]); runningVariance.value = .zeros([0])   // release for in-place update
        let y = relu
            ? batchNormReLU(x, adding: residual, runningMean: &rm, runningVariance: &rv, weight: weight.value,
                            bias: bias.value, training: isTraining, momentum: momentum, eps: eps)
            : batchNorm(x, runningMean: &rm, runningVariance: &rv, weight: weight.value, bias: bias.value,
                        training: isTraining, momentum: momentum, eps: eps)
        if let rm, let rv { runningMean.value = rm; runningVariance.value = rv }
        if isTraining { batchesTracked.value = Tensor(batchesTracked.value.scalar + 1) }
        return y
    }
}

/// `torch.nn.BatchNorm2d` over N×C×H×W.
public final class BatchNorm2d: BatchNormalization {
    override func checkInput(_ x: Tensor) {
        precondition(x.rank == 4, "BatchNorm2d: expected N×C×H×W input, got \(x.shape)")
    }
}

/// `torch.nn.BatchNorm1d` over N×C or N×C×L.
public final class BatchNorm1d: BatchNormalization {
    override func checkInput(_ x: Tensor) {
        precondition(x.rank == 2 || x.rank == 3, "BatchNorm1d: expected N×C or N×C×L input, got \(x.shape)")
    }
}

/// `torch.nn.ReLU`.
public final class ReLU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// `torch.nn.Sigmoid`.
public final class Sigmoid: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `torch.nn.MaxPool2d` (square kernel).
public final class MaxPool2d: Layer {
    public var isTraining = true
    public let kernelSize: Int, stride: Int, padding: Int
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.maxPool2d(kernel: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding))
    }
}

/// `torch.nn.AdaptiveAvgPool2d((1, 1))`: global average pooling to N×C×1×1.
public final class AdaptiveAvgPool2d: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.adaptiveAvgPool2dToOne() }
}

/// `torch.nn.Flatten` (from dimension 1).
public final class Flatten: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(startDim: 1) }
}

/// `torch.nn.Dropout`; draws its masks from its own seeded generator.
public final class Dropout: Layer {
    public var isTraining = true
    public let probability: Float
    public var generator: RandomGenerator
    public init(probability: Float = 0.5, seed: UInt64 = 0) {
        self.probability = probability; generator = RandomGenerator(seed: seed)
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        dropout(x, probability: probability, training: isTraining, generator: &generator)
    }
}

/// Layers applied in order; children are named `0`, `1`, … as in `torch.nn.Sequential`.
public final class Sequential: Layer {
    public var isTraining = true
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public var namedChildren: [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }
    public func callAsFunction(_ x: Tensor) -> Tensor { layers.reduce(x) { $1($0) } }
}
