/// Parameters that share a weight decay and a learning-rate factor, as a PyTorch optimiser's
/// parameter group (`{'params': …, 'weight_decay': …, 'lr': …}`).
///
/// The usual use keeps weight decay off batch norm's scales and shifts and off biases —
/// every parameter of one dimension, as timm's `param_groups_weight_decay` does:
///
/// ```swift
/// let groups = ParameterGroup.byDimension(model.parameters, vectors: .init(weightDecay: 0))
/// let sgd = SGD(groups: groups, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true)
/// ```
///
/// The learning rate is a factor of the optimiser's ``Optimizer/learningRate``, so a schedule
/// that sets that rate moves every group in proportion, as PyTorch's schedulers scale each
/// group's `initial_lr`.
public struct ParameterGroup {
    /// The group's parameters.
    public var parameters: [Parameter]
    /// The group's weight decay (nil: the optimiser's).
    public var weightDecay: Float?
    /// The group's learning rate as a factor of the optimiser's.
    public var learningRateScale: Float

    /// A group of `parameters`; by default it takes the optimiser's weight decay and learning rate.
    public init(_ parameters: [Parameter], weightDecay: Float? = nil, learningRateScale: Float = 1) {
        precondition(learningRateScale >= 0 && learningRateScale.isFinite, "ParameterGroup: learning-rate factor \(learningRateScale)")
        self.parameters = parameters; self.weightDecay = weightDecay; self.learningRateScale = learningRateScale
    }

    /// What a group sets, without its parameters.
    public struct Options: Equatable, Sendable {
        /// The weight decay (nil: the optimiser's).
        public var weightDecay: Float?
        /// The learning rate as a factor of the optimiser's.
        public var learningRateScale: Float
        /// Options; the defaults change nothing.
        public init(weightDecay: Float? = nil, learningRateScale: Float = 1) {
            self.weightDecay = weightDecay; self.learningRateScale = learningRateScale
        }
    }

    /// Two groups: the parameters of two or more dimensions (weights of convolutions and linear
    /// layers) with the optimiser's settings, then those of one dimension (biases, batch
    /// norm's scales and shifts) with `vectors`. An empty group is left out.
    public static func byDimension(_ parameters: [Parameter], vectors: Options) -> [ParameterGroup] {
        let matrices = parameters.filter { $0.shape.count >= 2 }, flat = parameters.filter { $0.shape.count < 2 }
        return [ParameterGroup(matrices), ParameterGroup(flat, weightDecay: vectors.weightDecay, learningRateScale: vectors.learningRateScale)]
            .filter { !$0.parameters.isEmpty }
    }

    /// One parameter's resolved settings.
    public struct Settings: Equatable, Sendable {
        /// Its weight decay.
        public let weightDecay: Float
        /// Its learning rate as a factor of the optimiser's.
        public let learningRateScale: Float
    }

    /// Each parameter's settings, in the groups' order.
    static func settings(_ groups: [ParameterGroup], weightDecay: Float) -> [Settings] {
        groups.flatMap { g in
            Array(repeating: Settings(weightDecay: g.weightDecay ?? weightDecay, learningRateScale: g.learningRateScale), count: g.parameters.count)
        }
    }
}
