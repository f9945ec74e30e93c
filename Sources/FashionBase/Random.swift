/// The project's one seeded random-number generator (xoshiro256**, seeded through
/// SplitMix64). The same seed gives the same sequence on every platform and run.
///
/// Draws uniform and normal floats, permutations and multinomial samples; it is also a
/// `RandomNumberGenerator`, so `Int.random(in:using:)` and `shuffle(using:)` work.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The four 64-bit state words; saving and restoring them resumes the stream exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set { (s0, s1, s2, s3) = newValue }
    }
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Float? = nil

    /// A generator for `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool {
        a.s0 == b.s0 && a.s1 == b.s1 && a.s2 == b.s2 && a.s3 == b.s3 && a.spareNormal == b.spareNormal
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t
        s3 = RandomGenerator.rotl(s3, 45)
        return result
    }

    /// A uniform float in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A uniform float in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// A standard normal float (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func normal() -> Float {
        if let z = spareNormal { spareNormal = nil; return z }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * _log(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        spareNormal = Float(r * _sin(theta))
        return Float(r * _cos(theta))
    }

    /// A normal float with the given mean and standard deviation.
    public mutating func normal(mean: Float, std: Float) -> Float { mean + std * normal() }

    /// A uniform integer in `0..<n`.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "RandomGenerator.int(below:): n must be positive")
        return Int(truncatingIfNeeded: next(upperBound: UInt64(n)))
    }

    /// A random permutation of `0..<n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, int(below: i + 1)) }
        }
        return p
    }

    /// `count` indices drawn with probability proportional to `weights` (which need not sum
    /// to one), with replacement or without — `torch.multinomial`'s contract.
    public mutating func multinomial(weights: [Double], count: Int, replacement: Bool = true) -> [Int] {
        precondition(weights.allSatisfy { $0 >= 0 && $0.isFinite }, "multinomial: weights must be finite and non-negative")
        precondition(replacement || count <= weights.filter({ $0 > 0 }).count,
                     "multinomial: cannot draw \(count) without replacement from \(weights.filter { $0 > 0 }.count) categories")
        var w = weights
        var result: [Int] = []
        result.reserveCapacity(count)
        var cumulative = [Double](repeating: 0, count: w.count)
        func rebuild() { var s = 0.0; for i in w.indices { s += w[i]; cumulative[i] = s } }
        rebuild()
        for _ in 0..<count {
            guard let total = cumulative.last, total > 0 else {
                preconditionFailure("multinomial: all weights are zero")
            }
            let u = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * total
            var lo = 0, hi = w.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > u { hi = mid } else { lo = mid + 1 } }
            while w[lo] == 0 { lo += 1 }   // never land on an empty category
            result.append(lo)
            if !replacement { w[lo] = 0; rebuild() }
        }
        return result
    }
}

// Math without Foundation for the generator.
#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
