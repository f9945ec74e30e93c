/// How an operand of a binary op lines up with the output: the output is viewed as
/// `outer × mid × inner`, and each operand is either the whole output shape, a single
/// value, or varies along `mid` only (a per-channel or per-row vector).
///
/// This covers same shape, scalar, `[C]` or `[1, C, 1, 1]` against NCHW, `[C]` against
/// `[N, C]` and `[N, 1]` against `[N, K]` — every broadcast the project's models need —
/// and keeps each kernel a plain three-level loop.
struct BroadcastPlan: Equatable {
    enum Role: Equatable { case full, scalar, mid }
    var shape: [Int]
    var outer: Int, mid: Int, inner: Int
    var a: Role, b: Role

    init(_ sa: [Int], _ sb: [Int], op: String) {
        let na = Tensor.elementCount(sa), nb = Tensor.elementCount(sb)
        if sa == sb {
            self.init(shape: sa, outer: 1, mid: 1, inner: na, a: .full, b: .full); return
        }
        if nb == 1 && sb.count <= sa.count {
            self.init(shape: sa, outer: 1, mid: 1, inner: na, a: .full, b: .scalar); return
        }
        if na == 1 && sa.count <= sb.count {
            self.init(shape: sb, outer: 1, mid: 1, inner: nb, a: .scalar, b: .full); return
        }
        if let (o, m, i) = BroadcastPlan.split(big: sa, small: sb) {
            self.init(shape: sa, outer: o, mid: m, inner: i, a: .full, b: .mid); return
        }
        if let (o, m, i) = BroadcastPlan.split(big: sb, small: sa) {
            self.init(shape: sb, outer: o, mid: m, inner: i, a: .mid, b: .full); return
        }
        preconditionFailure("\(op): shapes \(sa) and \(sb) do not broadcast (supported: same shape, a scalar, or one operand varying along one contiguous block of the other's axes)")
    }

    private init(shape: [Int], outer: Int, mid: Int, inner: Int, a: Role, b: Role) {
        self.shape = shape; self.outer = outer; self.mid = mid; self.inner = inner; self.a = a; self.b = b
    }

    /// `small` right-aligned against `big`; its non-1 axes must equal `big`'s and be contiguous.
    static func split(big: [Int], small: [Int]) -> (Int, Int, Int)? {
        guard small.count <= big.count else { return nil }
        let padded = [Int](repeating: 1, count: big.count - small.count) + small
        var lo = -1, hi = -1
        for (i, d) in padded.enumerated() where d != 1 {
            guard d == big[i] else { return nil }
            if lo < 0 { lo = i }
            if hi >= 0 && hi != i { return nil }
            hi = i + 1
        }
        if lo < 0 { return nil }
        var o = 1, m = 1, n = 1
        for i in 0..<lo { o *= big[i] }
        for i in lo..<hi { m *= big[i] }
        for i in hi..<big.count { n *= big[i] }
        return (o, m, n)
    }
}
