/// Elementwise loops over raw buffers; they know nothing of the graph. Large loops are
/// split over cores by ``Threading``; the inner loops are simple enough for the
/// compiler to vectorise.
enum ElementwiseKernels {
    static let grain = 1 << 15

    /// `out[i] = f(x[i])` for `count` elements.
    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
                    _ f: (Float) -> Float) {
        Threading.parallelRanges(count, minimumGrain: grain) { r in
            for i in r { out[i] = f(x[i]) }
        }
    }

    /// `out[i] = max(x[i], 0)` as Swift's `max` (0 when `0 >= x`, so −0 → +0 and NaN stays
    /// NaN), eight lanes at a time.
    static func relu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
        Threading.parallelRanges(count, minimumGrain: grain) { r in
            typealias V = SIMD8<Float>
            let zero = V()
            var i = r.lowerBound
            while i + 8 <= r.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: v.replacing(with: zero, where: zero .>= v), as: V.self)
                i += 8
            }
            while i < r.upperBound { out[i] = max(x[i], 0); i += 1 }
        }
    }

    /// ReLU's backward: `out[i] = y[i] > 0 ? g[i] : 0` (`y` the forward's output; NaN → 0),
    /// eight lanes at a time.
    static func reluBackward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
        Threading.parallelRanges(count, minimumGrain: grain) { r in
            typealias V = SIMD8<Float>
            let zero = V()
            var i = r.lowerBound
            while i + 8 <= r.upperBound {
                let gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self), yv = UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
                UnsafeMutableRawPointer(out + i).storeBytes(of: gv.replacing(with: zero, where: .!(yv .> zero)), as: V.self)
                i += 8
            }
            while i < r.upperBound { out[i] = y[i] > 0 ? g[i] : 0; i += 1 }
        }
    }

    /// `out[i] = x[i] + scale * y[i]` (`out` may be `x`), eight lanes at a time; with `scale` 1
    /// the product is exact, so this is also the plain sum.
    static func addScaled(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, scale: Float, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
        Threading.parallelRanges(count, minimumGrain: grain) { r in
            typealias V = SIMD8<Float>
            var i = r.lowerBound
            if scale == 1 {
                while i + 8 <= r.upperBound {
                    let a = UnsafeRawPointer(x + i).loadUnaligned(as: V.self), b = UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
                    UnsafeMutableRawPointer(out + i).storeBytes(of: a + b, as: V.self)
                    i += 8
                }
                while i < r.upperBound { out[i] = x[i] + y[i]; i += 1 }
            } else {
                while i + 8 <= r.upperBound {
                    let a = UnsafeRawPointer(x + i).loadUnaligned(as: V.self), b = UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
                    UnsafeMutableRawPointer(out + i).storeBytes(of: a + scale * b, as: V.self)
                    i += 8
                }
                while i < r.upperBound { out[i] = x[i] + scale * y[i]; i += 1 }
            }
        }
    }

    /// `out[i] = f(x[i], y[i])`.
    @inline(__always)
    static func zip(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    _ count: Int, _ f: (Float, Float) -> Float) {
        Threading.parallelRanges(count, minimumGrain: grain) { r in
            for i in r { out[i] = f(x[i], y[i]) }
        }
    }

    /// A broadcast binary op laid out by `plan`.
    @inline(__always)
    static func broadcast(_ plan: BroadcastPlan, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                          _ out: UnsafeMutablePointer<Float>, _ f: (Float, Float) -> Float) {
        let outer = plan.outer, mid = plan.mid, inner = plan.inner
        switch (plan.a, plan.b) {
        case (.full, .full):
            zip(a, b, out, outer * mid * inner, f)
        case (.full, .scalar):
            let s = b[0]; map(a, out, outer * mid * inner) { f($0, s) }
        case (.scalar, .full):
            let s = a[0]; map(b, out, outer * mid * inner) { f(s, $0) }
        case (.full, .mid), (.mid, .full):
            let aIsMid = plan.a == .mid
            Threading.parallelFor(outer * mid, minimumGrain: max(1, grain / max(inner, 1))) { om in
                let m = om % mid, base = om * inner
                if aIsMid {
                    let s = a[m]
                    for i in 0..<inner { out[base + i] = f(s, b[base + i]) }
                } else {
                    let s = b[m]
                    for i in 0..<inner { out[base + i] = f(a[base + i], s) }
                }
            }
        default:
            preconditionFailure("broadcast: unsupported plan \(plan)")
        }
    }

    /// Sums an `outer × mid × inner` buffer over `outer` and `inner`, giving `mid` values.
    static func sumOuterInner(_ x: UnsafePointer<Float>, outer: Int, mid: Int, inner: Int,
                              into out: UnsafeMutablePointer<Float>) {
        Threading.parallelFor(mid, minimumGrain: max(1, grain / max(outer * inner, 1))) { m in
            var s: Float = 0
            for o in 0..<outer {
                let base = (o * mid + m) * inner
                for i in 0..<inner { s += x[base + i] }
            }
            out[m] = s
        }
    }

    /// Sum of `count` elements (pairwise over chunks for accuracy).
    static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var total: Double = 0
        var i = 0
        while i < count {
            let n = min(4096, count - i)
            var s: Float = 0
            for j in 0..<n { s += x[i + j] }
            total += Double(s)
            i += n
        }
        return Float(total)
    }
}
