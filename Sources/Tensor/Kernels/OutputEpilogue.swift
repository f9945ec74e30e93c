/// What a kernel does to its output values as it writes them: `y = relu?(v + residual?)`,
/// where `v` is the kernel's own result (a convolution with its bias, a batch norm's affine
/// map). Fusing it saves a pass over the activations for each op it replaces.
///
/// `residual` has the output's layout and is indexed by the same offsets as the output, so
/// a kernel that writes a part of `y` passes that part's offset from `y`'s start.
struct OutputEpilogue {
    var residual: UnsafePointer<Float>? = nil
    var relu = false
    static let none = OutputEpilogue()

    /// Whether the epilogue leaves values as they are.
    var isNone: Bool { residual == nil && !relu }

    /// The same epilogue for an output that starts `offset` values into this one's.
    func advanced(by offset: Int) -> OutputEpilogue {
        OutputEpilogue(residual: residual.map { $0 + offset }, relu: relu)
    }

    /// Eight values `v` bound for output `offset`…`offset + 7`: `relu?(v + residual)`, `+` then
    /// ReLU as the separate ops round them (`0 ≥ v ? 0 : v`: NaN passes, −0 → +0).
    @inline(__always)
    func finish(_ v: SIMD8<Float>, at offset: Int) -> SIMD8<Float> {
        var v = v
        if let residual { v += UnsafeRawPointer(residual + offset).loadUnaligned(as: SIMD8<Float>.self) }
        if relu { v.replace(with: SIMD8<Float>(), where: SIMD8<Float>() .>= v) }
        return v
    }

    /// One value `v` bound for output `offset`: ``finish(_:at:)`` for a single lane.
    @inline(__always)
    func finish(_ v: Float, at offset: Int) -> Float {
        var v = v
        if let residual { v += residual[offset] }
        return relu && 0 >= v ? 0 : v
    }

    /// `y[j] = relu?(y[j] + residual[offset + j])` for `j < count`, in place, eight lanes at a time.
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int, at offset: Int) {
        guard !isNone else { return }
        var j = 0
        while j + 8 <= count {
            let v = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + j).storeBytes(of: finish(v, at: offset + j), as: SIMD8<Float>.self)
            j += 8
        }
        while j < count { y[j] = finish(y[j], at: offset + j); j += 1 }
    }
}
