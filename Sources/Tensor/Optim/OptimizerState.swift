/// Saving and restoring an optimiser's state, so a resumed run continues exactly.
///
/// Tensors are keyed like PyTorch's `optimizer.state_dict()` entries, by parameter name
/// (`exp_avg.layer1.0.conv1.weight`); scalars (`step`, `lr`) go in the metadata.
public protocol StatefulOptimizer: Optimizer {
    /// The state, with `names[i]` naming `parameters[i]`.
    func state(names: [String]) -> Safetensors.Contents
    /// Restores a state written by ``state(names:)``; throws when a tensor is missing or misshapen.
    func load(_ contents: Safetensors.Contents, names: [String]) throws
}

/// Why an optimiser state could not be restored.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public var description: String { "optimizer state: \(reason)" }
}

extension Adam: StatefulOptimizer {
    public func state(names: [String]) -> Safetensors.Contents {
        precondition(names.count == parameters.count, "Adam.state: \(names.count) names for \(parameters.count) parameters")
        var s = StateDictionary()
        for (i, name) in names.enumerated() {
            s.set("exp_avg.\(name)", firstMoments[i])
            s.set("exp_avg_sq.\(name)", secondMoments[i])
        }
        return Safetensors.Contents(state: s, metadata: ["optimizer": "Adam", "step": String(stepCount), "lr": String(learningRate)])
    }

    public func load(_ contents: Safetensors.Contents, names: [String]) throws {
        guard contents.metadata["optimizer"] == "Adam", let step = contents.metadata["step"].flatMap(Int.init) else {
            throw OptimizerStateError(reason: "not an Adam state (metadata \(contents.metadata))")
        }
        var first: [Tensor] = [], second: [Tensor] = []
        for (i, name) in names.enumerated() {
            guard let m = contents.state["exp_avg.\(name)"], let v = contents.state["exp_avg_sq.\(name)"],
                  m.shape == parameters[i].shape, v.shape == parameters[i].shape else {
                throw OptimizerStateError(reason: "moments of \(name) missing or misshapen")
            }
            first.append(m.detached()); second.append(v.detached())
        }
        restore(step: step, first: first, second: second)
        if let lr = contents.metadata["lr"].flatMap(Float.init) { learningRate = lr }
    }
}

extension SGD: StatefulOptimizer {
    public func state(names: [String]) -> Safetensors.Contents {
        var s = StateDictionary()
        for (i, name) in names.enumerated() { if let b = momentumBuffers[i] { s.set("momentum_buffer.\(name)", b) } }
        return Safetensors.Contents(state: s, metadata: ["optimizer": "SGD", "lr": String(learningRate)])
    }

    public func load(_ contents: Safetensors.Contents, names: [String]) throws {
        guard contents.metadata["optimizer"] == "SGD" else { throw OptimizerStateError(reason: "not an SGD state") }
        var buffers: [Tensor?] = []
        for (i, name) in names.enumerated() {
            let b = contents.state["momentum_buffer.\(name)"]
            if let b, b.shape != parameters[i].shape { throw OptimizerStateError(reason: "momentum of \(name) misshapen") }
            buffers.append(b?.detached())
        }
        restore(momentumBuffers: buffers)
        if let lr = contents.metadata["lr"].flatMap(Float.init) { learningRate = lr }
    }
}
