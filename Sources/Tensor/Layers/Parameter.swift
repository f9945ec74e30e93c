/// A trainable tensor with identity: layers own parameters, optimisers update them in
/// place, and the autograd graph accumulates their gradients.
public final class Parameter {
    /// The state-dict name of this parameter inside its module when it differs from the
    /// Swift property name (`nil`: use the property name).
    public let key: String?
    /// Current value; a leaf of the autograd graph. Optimisers update it in place;
    /// replace it with ``assign(_:)``.
    public internal(set) var value: Tensor

    /// A parameter holding `value`.
    public init(_ value: Tensor, key: String? = nil) {
        self.key = key
        self.value = value.requiringGrad("parameter")
    }

    /// Replaces the value (same shape), dropping any gradient.
    public func assign(_ newValue: Tensor) {
        precondition(newValue.shape == value.shape, "Parameter.assign: shape \(newValue.shape) ≠ \(value.shape)")
        value = newValue.detached().requiringGrad("parameter")
    }

    /// The gradient accumulated by backward passes since the last ``zeroGrad()``.
    public var grad: Tensor? { value.grad }
    /// Clears the accumulated gradient.
    public func zeroGrad() { value.zeroGrad() }
    /// Replaces the accumulated gradient by `gradient` (same shape) — what a data-parallel step
    /// does with the sum over processes before the optimiser's step.
    public func setGradient(_ gradient: Tensor) {
        precondition(gradient.shape == value.shape, "Parameter.setGradient: shape \(gradient.shape) ≠ \(value.shape)")
        value.node?.grad = gradient.detached()
    }
    /// Shape of the value.
    public var shape: [Int] { value.shape }
}

/// The element type a state-dict entry is saved as (PyTorch keeps counters as int64).
public enum StateElementType: String, Sendable, Codable {
    case float32 = "F32"
    case int64 = "I64"
}

/// A non-trainable tensor that belongs to a module's state (batch norm's running
/// statistics and `num_batches_tracked`).
public final class Buffer {
    /// The state-dict name when it differs from the Swift property name.
    public let key: String?
    /// How the value is stored in checkpoints.
    public let elementType: StateElementType
    /// Current value.
    public var value: Tensor

    /// A buffer holding `value`.
    public init(_ value: Tensor, key: String? = nil, elementType: StateElementType = .float32) {
        self.key = key; self.value = value; self.elementType = elementType
    }
}
