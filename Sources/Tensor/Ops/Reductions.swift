/// Sums and means over all elements or over chosen axes.
extension Tensor {
    /// Sum of all elements, as a 0-d tensor.
    public func sum() -> Tensor {
        var out = Tensor(ElementwiseKernels.sum(pointer, count))
        let shape = self.shape
        Tensor.record("sum", &out, inputs: [self]) { g in [Tensor(shape: shape, repeating: g.scalar)] }
        return out
    }

    /// Mean of all elements, as a 0-d tensor.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// Sum over `axes` (negative axes count from the end); `keepingDims` keeps them as size 1.
    public func sum(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let normalized = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        precondition(normalized.allSatisfy { $0 >= 0 && $0 < rank }, "sum(alongAxes: \(axes)): out of range for shape \(shape)")
        var result = self
        for axis in normalized.sorted(by: >) { result = result.sumAxis(axis) }
        if !keepingDims {
            result = result.reshaped(shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
        }
        return result
    }

    /// Mean over `axes`.
    public func mean(alongAxes axes: [Int], keepingDims: Bool = false) -> Tensor {
        let n = Set(axes.map { $0 < 0 ? $0 + rank : $0 }).reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDims: keepingDims) / Float(Swift.max(n, 1))
    }

    /// Sum over one axis, keeping it as size 1.
    private func sumAxis(_ axis: Int) -> Tensor {
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var outShape = shape; outShape[axis] = 1
        var out = Tensor(shape: outShape, repeating: 0)
        let src = pointer, dst = out.pointer
        Threading.parallelFor(outer, minimumGrain: Swift.max(1, ElementwiseKernels.grain / Swift.max(n * inner, 1))) { o in
            let d = dst + o * inner
            for k in 0..<n {
                let s = src + (o * n + k) * inner
                for i in 0..<inner { d[i] += s[i] }
            }
        }
        let inShape = shape
        Tensor.record("sum(axis: \(axis))", &out, inputs: [self]) { g in
            // Broadcast back along the axis.
            let gx = Tensor(uninitializedShape: inShape)
            let gp = g.pointer, xp = gx.pointer
            for o in 0..<outer {
                for k in 0..<n { (xp + (o * n + k) * inner).update(from: gp + o * inner, count: inner) }
            }
            return [gx]
        }
        return out
    }
}
