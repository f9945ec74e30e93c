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

    /// `y[j] = relu?(y[j] + residual[offset + j])` for `j < count`, in place: `+` then ReLU as
    /// the separate ops round them (`0 ≥ v ? 0 : v`: NaN passes, −0 → +0), eight lanes at a time.
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int, at offset: Int) {
        guard !isNone else { return }
        let r = residual.map { $0 + offset }
        typealias V = SIMD8<Float>
        let zero = V()
        var j = 0
        while j + 8 <= count {
            var v = UnsafeRawPointer(y + j).loadUnaligned(as: V.self)
            if let r { v += UnsafeRawPointer(r + j).loadUnaligned(as: V.self) }
            if relu { v.replace(with: zero, where: zero .>= v) }
            UnsafeMutableRawPointer(y + j).storeBytes(of: v, as: V.self)
            j += 8
        }
        while j < count {
            var v = y[j]
            if let r { v += r[j] }
            y[j] = relu && 0 >= v ? 0 : v
            j += 1
        }
    }
}
