#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pointwise nonlinearities; each backward uses the saved output or the saved input.
extension Tensor {
    /// Which tensor a pointwise op's backward reads: only that one is kept alive until backward.
    private enum Saved { case input, output }

    private func pointwise(_ name: String, _ f: (Float) -> Float, saving saved: Saved,
                           kernel: ((UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)? = nil,
                           backward: @escaping (_ g: Tensor, _ saved: Tensor) -> Tensor) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        if let kernel { kernel(pointer, out.pointer, count) } else { ElementwiseKernels.map(pointer, out.pointer, count, f) }
        let kept = saved == .input ? detached() : out.detached()
        Tensor.record(name, &out, inputs: [self]) { g in [backward(g, kept)] }
        return out
    }

    /// Elementwise `g * h(z)` for a helper tensor `z` (used by backward passes).
    private static func gradient(_ g: Tensor, _ z: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: g.shape)
        ElementwiseKernels.zip(g.pointer, z.pointer, out.pointer, g.count, f)
        return out
    }

    /// max(x, 0). The gradient at 0 is 0, as in PyTorch.
    public func relu() -> Tensor {
        pointwise("relu", { max($0, 0) }, saving: .output, kernel: ElementwiseKernels.relu) { g, y in
            let out = Tensor(uninitializedShape: g.shape)
            ElementwiseKernels.reluBackward(g.pointer, y.pointer, out.pointer, g.count)
            return out
        }
    }

    /// 1 / (1 + e^−x).
    public func sigmoid() -> Tensor {
        pointwise("sigmoid", { 1 / (1 + expf(-$0)) }, saving: .output) { g, y in Tensor.gradient(g, y) { $0 * $1 * (1 - $1) } }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        pointwise("tanh", { tanhf($0) }, saving: .output) { g, y in Tensor.gradient(g, y) { $0 * (1 - $1 * $1) } }
    }

    /// e^x.
    public func exp() -> Tensor {
        pointwise("exp", { expf($0) }, saving: .output) { g, y in Tensor.gradient(g, y) { $0 * $1 } }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        pointwise("log", { logf($0) }, saving: .input) { g, x in Tensor.gradient(g, x) { $0 / $1 } }
    }
}
