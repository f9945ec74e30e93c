/// Reshape, flatten and concatenation.
extension Tensor {
    /// The same elements with a new shape (one dimension may be −1). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let i = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshaped(\(newShape)): cannot infer −1 for \(count) elements")
            resolved[i] = count / known
        }
        precondition(Tensor.elementCount(resolved) == count, "reshaped(\(newShape)): \(count) elements do not fit shape \(resolved)")
        var out = Tensor(shape: resolved, storage: storage)
        let old = shape
        Tensor.record("reshape", &out, inputs: [self]) { g in [g.reshaped(old)] }
        return out
    }

    /// Flattens dimensions from `startDim` on into one (`torch.flatten(x, 1)` by default).
    public func flattened(startDim: Int = 1) -> Tensor {
        precondition(startDim >= 0 && startDim < Swift.max(rank, 1), "flattened(startDim: \(startDim)): rank is \(rank)")
        return reshaped(Array(shape[..<startDim]) + [shape[startDim...].reduce(1, *)])
    }

    /// Concatenates tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0].shape
        let ax = axis < 0 ? axis + first.count : axis
        precondition(ax >= 0 && ax < first.count, "concat: axis \(axis) out of range for rank \(first.count)")
        for t in tensors {
            precondition(t.rank == first.count && t.shape.enumerated().allSatisfy { $0.offset == ax || $0.element == first[$0.offset] },
                         "concat: shape \(t.shape) does not match \(first) outside axis \(ax)")
        }
        let outer = first[..<ax].reduce(1, *), inner = first[(ax + 1)...].reduce(1, *)
        let sizes = tensors.map { $0.shape[ax] }
        let total = sizes.reduce(0, +)
        var outShape = first; outShape[ax] = total
        var out = Tensor(uninitializedShape: outShape)
        var offset = 0
        for (t, n) in zip(tensors, sizes) {
            for o in 0..<outer {
                (out.pointer + (o * total + offset) * inner).update(from: t.pointer + o * n * inner, count: n * inner)
            }
            offset += n
        }
        record("concat", &out, inputs: tensors) { g in
            var grads: [Tensor?] = []
            var off = 0
            for (t, n) in zip(tensors, sizes) {
                defer { off += n }
                guard t.requiresGrad else { grads.append(nil); continue }
                let gt = Tensor(uninitializedShape: t.shape)
                for o in 0..<outer {
                    (gt.pointer + o * n * inner).update(from: g.pointer + (o * total + off) * inner, count: n * inner)
                }
                grads.append(gt)
            }
            return grads
        }
        return out
    }
}
