import CBFloat16
import Foundation
import Testing
@testable import Tensor

/// bfloat16 rounding against PyTorch, and the bf16 GEMM (emulated everywhere, hardware where
/// the CPU has AVX512_BF16) against a Double reference with a bound derived from its length.
@Suite struct BFloat16Tests {
    struct Reference: Decodable { let float_bits: [UInt32], bf16_bits: [UInt16] }

    /// Every value of Tools/make_bf16_reference.py — ties to even, the largest floats (to
    /// infinity), denormals, random magnitudes 2^±40 — rounds to PyTorch's bits exactly.
    @Test func roundingMatchesPyTorch() throws {
        let url = try #require(Bundle.module.url(forResource: "Reference/bf16", withExtension: "json"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let rounded = BFloat16.round(ref.float_bits.map { Float(bitPattern: $0) })
        for (i, (got, want)) in zip(rounded, ref.bf16_bits).enumerated() {
            #expect(got == want, "value \(i): bits \(String(ref.float_bits[i], radix: 16)) → \(String(got, radix: 16)), PyTorch \(String(want, radix: 16))")
        }
        let nan = BFloat16.widen(BFloat16.round([.nan, -.nan, Float(bitPattern: 0x7F80_0001)]))
        #expect(nan.allSatisfy { $0.isNaN })
        #expect(BFloat16.widen(BFloat16.round([1.5, -3, 0.15625])) == [1.5, -3, 0.15625])   // exact in bf16
    }

    static func operands(m: Int, n: Int, k: Int, seed: UInt64) -> (a: [UInt16], b: [UInt16]) {
        var g = RandomGenerator(seed: seed)
        return (BFloat16.round((0..<(m * k)).map { _ in g.normal() }), BFloat16.round((0..<(k * n)).map { _ in g.normal() }))
    }

    /// C = A·B of bf16 operands against the same product in Double. The products are exact in
    /// Float and each output is k roundings of a running sum, so |error| ≤ γ_k · Σ|a_il·b_lj|
    /// with γ_k = k·u/(1 − k·u), u = 2⁻²⁴ (Higham, theorem 3.1) — a bound, not a guess.
    /// Shapes with odd k, n not a multiple of 16 and m not of 4 exercise the padding; `accumulate` adds to C.
    @Test(arguments: [(5, 7, 3), (4, 16, 2), (9, 33, 17), (64, 48, 576), (3, 100, 1)])
    func emulatedProductIsWithinItsBound(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let (a, b) = Self.operands(m: m, n: n, k: k, seed: UInt64(m * 1000 + n * 10 + k))
        let packed = BFloat16.PackedMatrix(b, k: k, n: n)
        let af = BFloat16.widen(a), bf = BFloat16.widen(b)
        for accumulate in [false, true] {
            var g = RandomGenerator(seed: 9)
            let start = (0..<(m * n)).map { _ in g.normal() }
            var c = accumulate ? start : [Float](repeating: 7, count: m * n)
            BFloat16.gemm(m: m, a: a, b: packed, c: &c, accumulate: accumulate, path: .emulated)
            let u = 0x1p-24, gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
            for i in 0..<m { for j in 0..<n {
                var exact = accumulate ? Double(start[i * n + j]) : 0, magnitude = abs(exact)
                for l in 0..<k { let p = Double(af[i * k + l]) * Double(bf[l * n + j]); exact += p; magnitude += abs(p) }
                #expect(abs(Double(c[i * n + j]) - exact) <= gamma * magnitude, "(\(i), \(j)) of \(m)×\(n)×\(k)")
            }}
        }
    }

    /// On a CPU with AVX512_BF16 the VDPBF16PS kernel gives the emulation's bits exactly
    /// (normal inputs: neither flushes anything), row blocks split over threads or not.
    @Test(.enabled(if: BFloat16.hardware), arguments: [(5, 7, 3), (4, 16, 2), (9, 33, 17), (64, 48, 576), (130, 70, 64)])
    func hardwareEqualsEmulation(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let (a, b) = Self.operands(m: m, n: n, k: k, seed: UInt64(k))
        let packed = BFloat16.PackedMatrix(b, k: k, n: n)
        for accumulate in [false, true] {
            var hw = [Float](repeating: 0.25, count: m * n), em = hw
            BFloat16.gemm(m: m, a: a, b: packed, c: &hw, accumulate: accumulate, path: .hardware)
            BFloat16.gemm(m: m, a: a, b: packed, c: &em, accumulate: accumulate, path: .emulated)
            #expect(hw == em, "\(m)×\(n)×\(k) accumulate \(accumulate)")
        }
    }

    /// Rounding and packing in one pass gives the bits of rounding, then packing — full panels,
    /// a ragged last panel, an odd k — and so the same products.
    @Test(arguments: [(3, 5), (32, 48), (17, 33), (1, 16), (64, 100)])
    func packingFromFloatsEqualsRoundThenPack(_ shape: (Int, Int)) {
        let (k, n) = shape
        var g = RandomGenerator(seed: UInt64(k * 100 + n))
        var b = (0..<(k * n)).map { _ in g.normal() * 3 }
        if b.count > 2 { b[1] = .nan; b[2] = Float(bitPattern: 0x3F80_8000) }   // a NaN and a tie
        let fused = BFloat16.PackedMatrix(rounding: b, k: k, n: n), twoStep = BFloat16.PackedMatrix(BFloat16.round(b), k: k, n: n)
        #expect(fused.values == twoStep.values)
    }

    /// Rounding a matrix stored transposed (whole 16 × 16 tiles by AVX-512 where the CPU has it,
    /// the edges and other CPUs by the scalar loop) gives the bits of rounding each value, in
    /// the transposed place — a row stride of its own, ragged edges on both sides, NaN and a tie.
    @Test(arguments: [(16, 16), (37, 50), (64, 33), (5, 70), (48, 7)])
    func roundingTransposedEqualsRoundingEachValue(_ shape: (Int, Int)) {
        let (m, k) = shape, lda = m + 3
        var g = RandomGenerator(seed: UInt64(m * 1000 + k))
        var a = (0..<(k * lda)).map { _ in g.normal() * 5 }
        a[1] = .nan; a[lda + 2] = Float(bitPattern: 0x3F80_8000)
        var got = [UInt16](repeating: 0xFFFF, count: m * k)
        fs_bf16_round_matrix(a, lda, 1, m, k, &got)
        var expected = [UInt16](repeating: 0, count: m * k)
        for i in 0..<m { for p in 0..<k { expected[i * k + p] = BFloat16.round([a[p * lda + i]])[0] } }
        #expect(got == expected)
    }

    /// k = 0 is an empty sum: C becomes 0, or stays as it was when accumulating.
    @Test func emptyProducts() {
        let packed = BFloat16.PackedMatrix([], k: 0, n: 3)
        var c: [Float] = [1, 2, 3, 4, 5, 6]
        BFloat16.gemm(m: 2, a: [], b: packed, c: &c, accumulate: true)
        #expect(c == [1, 2, 3, 4, 5, 6])
        BFloat16.gemm(m: 2, a: [], b: packed, c: &c)
        #expect(c == [0, 0, 0, 0, 0, 0])
    }
}
