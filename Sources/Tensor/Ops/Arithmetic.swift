/// Add, subtract, multiply and divide, with the broadcasts of ``BroadcastPlan`` and
/// scalars; each backward reduces the output gradient back to its operand's shape.
extension Tensor {
    /// `backward` maps the output gradient to the operands' (before the broadcast is undone);
    /// it captures only what it reads, so an add keeps neither operand alive for backward.
    private static func binary(_ name: String, _ a: Tensor, _ b: Tensor,
                               _ f: (Float, Float) -> Float,
                               backward: @escaping (Tensor) -> (Tensor?, Tensor?)) -> Tensor {
        let plan = BroadcastPlan(a.shape, b.shape, op: name)
        var out = Tensor(uninitializedShape: plan.shape)
        if name == "add", plan.a == .full, plan.b == .full {
            ElementwiseKernels.addScaled(a.pointer, b.pointer, scale: 1, out.pointer, out.count)   // the residual sums, in lanes
        } else {
            ElementwiseKernels.broadcast(plan, a.pointer, b.pointer, out.pointer, f)
        }
        let aShape = a.shape, bShape = b.shape
        record(name, &out, inputs: [a, b]) { g in
            let (ga, gb) = backward(g)
            return [ga.map { $0.reduced(toShape: aShape, plan: plan, role: plan.a) },
                    gb.map { $0.reduced(toShape: bShape, plan: plan, role: plan.b) }]
        }
        return out
    }

    /// Sums a gradient of the output's shape down to an operand's shape.
    func reduced(toShape target: [Int], plan: BroadcastPlan, role: BroadcastPlan.Role) -> Tensor {
        switch role {
        case .full: return self
        case .scalar: return Tensor(shape: target, scalars: [ElementwiseKernels.sum(pointer, count)])
        case .mid:
            let out = Tensor(uninitializedShape: target)
            ElementwiseKernels.sumOuterInner(pointer, outer: plan.outer, mid: plan.mid, inner: plan.inner, into: out.pointer)
            return out
        }
    }

    /// Elementwise sum (broadcasting).
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary("add", a, b, { $0 + $1 }) { g in (g, g) }
    }

    /// Elementwise difference (broadcasting).
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary("sub", a, b, { $0 - $1 }) { g in (g, -g) }
    }

    /// Elementwise product (broadcasting).
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let ad = a.detached(), bd = b.detached(), needA = a.requiresGrad, needB = b.requiresGrad
        return binary("mul", a, b, { $0 * $1 }) { g in (needA ? g * bd : nil, needB ? g * ad : nil) }
    }

    /// Elementwise quotient (broadcasting).
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let ad = a.detached(), bd = b.detached(), needA = a.requiresGrad, needB = b.requiresGrad
        return binary("div", a, b, { $0 / $1 }) { g in
            (needA ? g / bd : nil, needB ? -(g * ad / (bd * bd)) : nil)
        }
    }

    /// Negation.
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    public static func + (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1, shift: -s) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(scale: s, shift: 0) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.affine(scale: 1 / s, shift: 0) }
    public static func + (s: Float, a: Tensor) -> Tensor { a.affine(scale: 1, shift: s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.affine(scale: -1, shift: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { a.affine(scale: s, shift: 0) }

    /// `scale * self + shift`, elementwise.
    public func affine(scale: Float, shift: Float) -> Tensor {
        var out = Tensor(uninitializedShape: shape)
        ElementwiseKernels.map(pointer, out.pointer, count) { scale * $0 + shift }
        Tensor.record("affine", &out, inputs: [self]) { g in [g.affine(scale: scale, shift: 0)] }
        return out
    }

    /// `self += other` in place, same shape, not recorded (gradient accumulation, optimisers).
    public mutating func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(other.shape == shape || other.count == count, "addInPlace: shape \(other.shape) ≠ \(shape)")
        let src = other.pointer
        withUnsafeMutableBufferPointer { buf in
            let dst = buf.baseAddress!
            ElementwiseKernels.addScaled(dst, src, scale: scale, dst, buf.count)
        }
    }
}
