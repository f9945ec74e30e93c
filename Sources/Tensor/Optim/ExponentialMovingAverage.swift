/// An exponential moving average of a module's weights — parameters and batch norm's running
/// statistics — for evaluation and checkpoints, as `torch.optim.swa_utils.AveragedModel` with
/// `get_ema_multi_avg_fn(decay)` and `use_buffers=True` (or timm's `ModelEmaV2`) keeps it.
///
/// Each ``update(from:)`` moves every average toward the module's current value,
/// `average += (1 − d)·(value − average)` (PyTorch's `lerp`), after the optimiser's step.
/// Integer buffers (`num_batches_tracked`) are copied, not averaged. With `warmup` the decay
/// of update n (counted from 0) is `min(decay, (1 + n)/(10 + n))`, as TensorFlow's
/// `ExponentialMovingAverage(num_updates:)` — early averages follow the weights closely
/// instead of keeping the random initialisation for thousands of steps.
///
/// ```swift
/// let ema = ExponentialMovingAverage(model, decay: 0.999)
/// for batch in batches { …; optimizer.step(); ema.update(from: model) }
/// let accuracy = ema.withAverage(in: model) { evaluate(model) }
/// ```
public final class ExponentialMovingAverage {
    /// The decay once warmed up.
    public let decay: Float
    /// Whether the decay ramps up as `(1 + n)/(10 + n)`.
    public let warmup: Bool
    /// Updates so far.
    public private(set) var updates = 0
    /// The averaged entries, by state-dict name, in the module's order (parameters, then buffers).
    var names: [String], averages: [Tensor], averaged: [Bool]
    /// The module last updated from and its parameters and buffers, found once rather than by
    /// reflection at every step.
    private var sources: (module: ObjectIdentifier, parameters: [Parameter], buffers: [Buffer])?

    /// An average starting at `module`'s current weights.
    public init(_ module: Module, decay: Float, warmup: Bool = true) {
        precondition(decay >= 0 && decay < 1, "ExponentialMovingAverage: decay \(decay) is not in [0, 1)")
        self.decay = decay; self.warmup = warmup
        let entries = Self.entries(module)
        names = entries.map(\.name)
        averages = entries.map { Tensor(shape: $0.tensor.shape, scalars: $0.tensor.scalars) }
        averaged = entries.map(\.float)
    }

    /// The module's parameters, then its buffers; whether each is averaged (Float) or copied.
    static func entries(_ module: Module) -> [(name: String, tensor: Tensor, float: Bool)] {
        module.namedParameters.map { ($0.0, $0.1.value, true) } + module.namedBuffers.map { ($0.0, $0.1.value, $0.1.elementType == .float32) }
    }

    /// The decay update number `n` (from 0) uses.
    public func decay(at n: Int) -> Float {
        warmup ? min(decay, Float(1 + n) / Float(10 + n)) : decay
    }

    /// Moves the averages toward `module`'s current weights (after an optimiser step).
    public func update(from module: Module) {
        if sources?.module != ObjectIdentifier(module) {
            sources = (ObjectIdentifier(module), module.namedParameters.map(\.1), module.namedBuffers.map(\.1))
        }
        let (parameters, buffers) = (sources?.parameters ?? [], sources?.buffers ?? [])
        let current = parameters.map(\.value) + buffers.map(\.value)
        precondition(current.count == averages.count, "ExponentialMovingAverage.update: \(current.count) tensors for \(averages.count) averages")
        let w = 1 - decay(at: updates)
        for (i, tensor) in current.enumerated() {
            let n = tensor.count, average = averages[i].pointer
            precondition(n == averages[i].count, "ExponentialMovingAverage.update: \(names[i]) has \(n) values, its average \(averages[i].count)")
            let isAveraged = averaged[i]
            tensor.withUnsafeBufferPointer { value in
                guard let value = value.baseAddress else { return }
                Threading.parallelRanges(n, minimumGrain: 1 << 16) { r in
                    if isAveraged {
                        for j in r { average[j] += w * (value[j] - average[j]) }
                    } else {
                        for j in r { average[j] = value[j] }
                    }
                }
            }
        }
        updates += 1
    }

    /// The averages as a state dictionary (copies; `num_batches_tracked` as int64).
    public func stateDictionary() -> StateDictionary {
        var d = StateDictionary()
        for (i, name) in names.enumerated() {
            d.set(name, Tensor(shape: averages[i].shape, scalars: averages[i].scalars), elementType: averaged[i] ? .float32 : .int64)
        }
        return d
    }

    /// Restores averages saved by ``stateDictionary()`` after `updates` updates (resuming a
    /// run); throws naming the first missing or misshapen entry.
    public func restore(_ state: StateDictionary, updates: Int) throws {
        var restored: [Tensor] = []
        for (i, name) in names.enumerated() {
            guard let t = state[name] else { throw StateDictionaryError.missingKeys([name]) }
            guard t.count == averages[i].count else {
                throw StateDictionaryError.shapeMismatch(key: name, expected: averages[i].shape, found: t.shape)
            }
            restored.append(Tensor(shape: averages[i].shape, scalars: t.scalars))
        }
        averages = restored
        self.updates = updates
    }

    /// Runs `body` with `module` holding the averages (copies of them), then puts its own
    /// weights back — for evaluating or saving the averaged model.
    public func withAverage<T>(in module: Module, _ body: () throws -> T) rethrows -> T {
        let parameters = module.namedParameters, buffers = module.namedBuffers
        precondition(parameters.count + buffers.count == averages.count, "ExponentialMovingAverage.withAverage: another module")
        let ownParameters = parameters.map { $0.1.value }, ownBuffers = buffers.map { $0.1.value }
        for (i, (_, p)) in parameters.enumerated() { p.assign(Tensor(shape: averages[i].shape, scalars: averages[i].scalars)) }
        for (k, (_, b)) in buffers.enumerated() {
            let a = averages[parameters.count + k]
            b.value = Tensor(shape: b.value.shape, scalars: a.scalars)
        }
        defer {
            for (i, (_, p)) in parameters.enumerated() { p.assign(ownParameters[i]) }
            for (k, (_, b)) in buffers.enumerated() { b.value = ownBuffers[k] }
        }
        return try body()
    }
}
