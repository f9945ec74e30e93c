/// Lookahead (Zhang, Lucas, Hinton, Ba 2019, "k steps forward, 1 step back") around another
/// optimiser, as timm's `timm.optim.Lookahead(base_optimizer, alpha, k)`: the base optimiser
/// moves the weights ("fast weights"); every `k`-th step the slow weights — a copy started at
/// the initial weights — move a share `alpha` of the way toward them,
/// `slow += alpha·(fast − slow)`, and the fast weights are set to the slow ones.
///
/// The slow weights start at the weights the wrapper is made with, as the paper's Algorithm 1
/// and Jordan's airbench have it; timm and `torch_optimizer` copy them lazily at the first
/// synchronisation instead, so there the first one leaves the weights as they are.
///
/// Only the parameters take part (batch norm's running statistics are buffers and stay as
/// the training left them, as in timm). Its state — the base optimiser's plus the slow
/// weights (`lookahead_slow.<name>`) and the step count — saves and restores with the
/// base's, so a resumed run continues exactly.
///
/// ```swift
/// let optimizer = Lookahead(SGD(model.parameters, learningRate: 0.1, momentum: 0.9), steps: 5, alpha: 0.5)
/// for batch in batches { optimizer.zeroGrad(); …; optimizer.step() }
/// ```
public final class Lookahead: StatefulOptimizer {
    /// The optimiser that moves the fast weights.
    public let base: any StatefulOptimizer
    /// Base steps between synchronisations (k), and the share of the way the slow weights move (α).
    public let steps: Int, alpha: Float
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// The slow weights, one per parameter.
    public private(set) var slow: [Tensor]

    /// Wraps `base`; the slow weights start at its parameters' current values.
    public init(_ base: any StatefulOptimizer, steps: Int, alpha: Float) {
        precondition(steps >= 1, "Lookahead: steps \(steps) must be 1 or more")
        precondition(alpha > 0 && alpha <= 1, "Lookahead: alpha \(alpha) is not in (0, 1]")
        self.base = base; self.steps = steps; self.alpha = alpha
        slow = base.parameters.map { Tensor(shape: $0.value.shape, scalars: $0.value.scalars) }
    }

    /// The base optimiser's parameters (the fast weights).
    public var parameters: [Parameter] { base.parameters }
    /// The base optimiser's learning rate (a schedule sets it through the wrapper).
    public var learningRate: Float {
        get { base.learningRate }
        set { base.learningRate = newValue }
    }

    /// The base optimiser's step; every `steps`-th, the slow weights' step and the fast weights reset.
    public func step() {
        base.step()
        stepCount += 1
        guard stepCount % steps == 0 else { return }
        let a = alpha
        for (i, p) in parameters.enumerated() {
            let s = slow[i].pointer, n = p.value.count
            precondition(n == slow[i].count, "Lookahead.step: parameter \(i) has \(n) values, its slow weights \(slow[i].count)")
            p.value.withUnsafeMutableBufferPointer { w in
                guard let w = w.baseAddress else { return }
                Threading.parallelRanges(n, minimumGrain: 1 << 16) { r in
                    for j in r {
                        s[j] += a * (w[j] - s[j])
                        w[j] = s[j]
                    }
                }
            }
        }
    }

    /// The base optimiser's state with the slow weights (`lookahead_slow.<name>`) and the step count, k and α in the metadata.
    public func state(names: [String]) -> Safetensors.Contents {
        var contents = base.state(names: names)
        for (i, name) in names.enumerated() { contents.state.set("lookahead_slow.\(name)", slow[i]) }
        contents.metadata["lookahead_step"] = String(stepCount)
        contents.metadata["lookahead_k"] = String(steps)
        contents.metadata["lookahead_alpha"] = String(alpha)
        return contents
    }

    /// Restores a state written by ``state(names:)``; throws on a state without Lookahead's part.
    public func load(_ contents: Safetensors.Contents, names: [String]) throws {
        guard let step = contents.metadata["lookahead_step"].flatMap(Int.init), step >= 0 else {
            throw OptimizerStateError(reason: "no Lookahead state (metadata \(contents.metadata))")
        }
        var restored: [Tensor] = []
        for (i, name) in names.enumerated() {
            guard let s = contents.state["lookahead_slow.\(name)"], s.shape == parameters[i].value.shape else {
                throw OptimizerStateError(reason: "Lookahead's slow weights of \(name) missing or misshapen")
            }
            restored.append(s.detached())
        }
        try base.load(contents, names: names)
        slow = restored; stepCount = step
    }
}
