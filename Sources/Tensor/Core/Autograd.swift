/// Whether operations record themselves for reverse-mode differentiation.
public enum GradMode {
    @TaskLocal static var enabledValue: Bool = true

    /// `true` unless inside ``withNoGrad(_:)``.
    public static var isEnabled: Bool { enabledValue }
}

/// Runs `body` without recording any operation (inference, feature extraction,
/// optimiser updates). Nested calls are fine.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$enabledValue.withValue(false, operation: body)
}

/// One recorded value in the autograd graph (PyTorch's `grad_fn`, or `AccumulateGrad`
/// for a leaf). A node owns its backward closure until the backward pass has used it.
final class GradNode {
    let inputs: [GradNode?]
    /// Maps the gradient of this node's output to the gradients of its inputs (one per input, `nil` where none).
    var backwardFunction: ((Tensor) -> [Tensor?])?
    /// Accumulated gradient (kept on leaves; dropped from inner nodes once propagated).
    var grad: Tensor?
    let isLeaf: Bool
    let name: String

    init(leaf name: String) {
        inputs = []; isLeaf = true; self.name = name
    }

    init(name: String, inputs: [GradNode?], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs; self.backwardFunction = backward; isLeaf = false; self.name = name
    }

    func accumulate(_ g: Tensor) {
        guard var sum = grad else { grad = g.detached(); return }
        grad = nil   // unique reference: summed in place
        sum.addInPlace(g)
        grad = sum
    }
}

/// The output gradients of a two-output op, held until its backward closure runs.
final class OutputGradients {
    var first: Tensor?
    var second: Tensor?
}

extension Tensor {
    /// Whether gradients flow to this tensor (a leaf that asked for them, or the result of an op on one).
    public var requiresGrad: Bool { node != nil }

    /// The same values as a leaf that accumulates a gradient in ``grad``.
    public func requiringGrad(_ name: String = "leaf") -> Tensor {
        var t = detached()
        t.node = GradNode(leaf: name)
        return t
    }

    /// The accumulated gradient of a leaf (or `nil` before a backward pass reached it).
    public var grad: Tensor? { node?.grad }

    /// Clears the accumulated gradient of a leaf.
    public func zeroGrad() { node?.grad = nil }

    /// Records `output` as the result of an op on `inputs` when any input needs a gradient.
    /// `backward` receives the output's gradient and returns one gradient per input.
    /// `detail` names the op's configuration in an ``OpProfile`` (evaluated only while one records).
    static func record(_ name: String, detail: @autoclosure () -> String = "", _ output: inout Tensor, inputs: [Tensor],
                       backward: @escaping (Tensor) -> [Tensor?]) {
        var key = name
        if let profile = OpProfile.active {
            key = OpProfile.key(name, detail: detail(), shape: output.shape)
            profile.forwardFinished(key)
        }
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return }
        output.node = GradNode(name: key, inputs: inputs.map { $0.node }, backward: backward)
    }

    /// Records `first` and `second` as the two results of one op on `inputs`. `backward`
    /// receives both outputs' gradients (`nil` for an output no gradient reached) and returns
    /// one gradient per input; it runs once, after the gradients of both outputs are complete.
    static func record(_ name: String, detail: @autoclosure () -> String = "", _ first: inout Tensor, _ second: inout Tensor,
                       inputs: [Tensor], backward: @escaping (Tensor?, Tensor?) -> [Tensor?]) {
        var key = name
        if let profile = OpProfile.active {
            key = OpProfile.key(name, detail: detail(), shape: first.shape)
            profile.forwardFinished(key)
        }
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return }
        let gathered = OutputGradients()
        let joint = GradNode(name: key, inputs: inputs.map { $0.node }) { _ in
            let (a, b) = (gathered.first, gathered.second)
            gathered.first = nil; gathered.second = nil
            return backward(a, b)
        }
        // Each output leaves its gradient with the joint node and passes it a one-value token, so
        // the joint node — an input of both, hence after both in reverse topological order —
        // runs once, with both gradients complete.
        first.node = GradNode(name: key, inputs: [joint]) { g in gathered.first = g; return [Tensor.zeros([1])] }
        second.node = GradNode(name: key, inputs: [joint]) { g in gathered.second = g; return [Tensor.zeros([1])] }
    }

    /// Back-propagates from this tensor: `seed` is d(objective)/d(self), ones when omitted
    /// (the usual call on a scalar loss). Gradients accumulate on leaves; the graph's
    /// closures and saved tensors are released as they are used, like PyTorch without `retain_graph`.
    public func backward(_ seed: Tensor? = nil) {
        guard let root = node else {
            preconditionFailure("backward(): the tensor does not require a gradient (no input required one, or it was computed under withNoGrad)")
        }
        if let seed { precondition(seed.shape == shape, "backward(): seed shape \(seed.shape) ≠ tensor shape \(shape)") }
        // Reverse topological order by an iterative depth-first search.
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, i) = stack.popLast() {
            if i < n.inputs.count {
                stack.append((n, i + 1))
                if let child = n.inputs[i], child.backwardFunction != nil || child.isLeaf,
                   visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(n)
            }
        }
        root.accumulate(seed ?? Tensor.ones(shape))
        withNoGrad {
            for n in order.reversed() {
                guard let fn = n.backwardFunction, let g = n.grad else { continue }
                n.backwardFunction = nil
                n.grad = nil
                let profile = OpProfile.active
                let grads = profile.map { $0.backward(n.name) { fn(g) } } ?? fn(g)
                precondition(grads.count == n.inputs.count, "backward(): \(n.name) returned \(grads.count) gradients for \(n.inputs.count) inputs")
                for (input, gi) in zip(n.inputs, grads) {
                    guard let input, let gi else { continue }
                    if let profile { profile.backward("accumulate gradient") { input.accumulate(gi) } } else { input.accumulate(gi) }
                }
            }
        }
    }
}
