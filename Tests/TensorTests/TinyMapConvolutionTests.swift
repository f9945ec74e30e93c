import CBFloat16
import Testing
@testable import Tensor

/// The dense GEMM of tiny maps (``TinyMapConvolution``, ResNet-18's layer4 at 28 px in bf16):
/// each pass against the exact convolution in Double with the bound of its sums (as
/// ``AutocastTests``: γ_n·Σ|terms|, the products exact), in FP32 of the operands as given and in
/// bf16 of the operands rounded; its dense matrix built in C, vectorised and scalar, the same
/// bits as rounding the Swift builder's.
@Suite struct TinyMapConvolutionTests {
    typealias Shape = (batch: Int, c: Int, o: Int, h: Int, w: Int, k: Int, pad: Int)

    /// 2×2 and 1×1 maps under a 3×3 kernel (layer4's), a 2×1 map, a 3×1 map under 5×5 padded by
    /// 2 (three pixels: the C builder's scalar path), channels past a GEMM panel.
    static let shapes: [Shape] = [(3, 5, 7, 2, 2, 3, 1), (2, 33, 17, 1, 1, 3, 1), (4, 6, 9, 2, 1, 3, 1),
                                  (2, 4, 5, 3, 1, 5, 2), (5, 40, 36, 2, 2, 3, 1)]

    static func geometry(_ s: Shape, _ precision: Precision) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: s.batch, inChannels: s.c, height: s.h, width: s.w, outChannels: s.o, kernelHeight: s.k,
                            kernelWidth: s.k, padding: (s.pad, s.pad), precision: precision)
    }

    @Test func takesOnlyMapsWhoseEveryPixelSeesEveryOther() {
        let g = { (side: Int, k: Int, stride: Int, pad: Int) in
            ConvolutionGeometry(batch: 2, inChannels: 8, height: side, width: side, outChannels: 8, kernelHeight: k, kernelWidth: k,
                                stride: (stride, stride), padding: (pad, pad), precision: .bf16)
        }
        #expect(TinyMapConvolution.computes(g(2, 3, 1, 1)) && TinyMapConvolution.computes(g(1, 3, 1, 1)))
        #expect(TinyMapConvolution.computes(g(3, 5, 1, 2)))
        #expect(!TinyMapConvolution.computes(g(3, 3, 1, 1)), "3×3 on 3×3: corners do not see each other")
        #expect(!TinyMapConvolution.computes(g(2, 3, 2, 1)), "stride 2")
        #expect(!TinyMapConvolution.computes(g(2, 3, 1, 0)), "unpadded: the output is smaller")
        #expect(!TinyMapConvolution.computes(g(2, 1, 1, 0)), "1×1 on 2×2: pixels see only themselves")
        // The planner: bf16 with the automatic algorithm; FP32 keeps Winograd's bits.
        #expect(ConvolutionPlan(g(2, 3, 1, 1), algorithm: .automatic, kernels: .current).description == "tiny-map, bf16")
        #expect(ConvolutionPlan(g(2, 3, 1, 1), algorithm: .im2col, kernels: .current).forward != .tinyMap)
        var fp32 = g(2, 3, 1, 1)
        fp32.precision = .fp32
        #expect(ConvolutionPlan(fp32, algorithm: .automatic, kernels: .current).forward == .winogradF2)
        #expect(ConvolutionPlan(g(4, 3, 1, 1), algorithm: .automatic, kernels: .current).forward != .tinyMap)
    }

    /// The three passes through ``TinyMapConvolution`` in `precision`.
    static func passes(_ g: ConvolutionGeometry, x: [Float], w: [Float], dy: [Float]) -> (y: [Float], dx: [Float], dw: [Float]) {
        var y = [Float](repeating: .nan, count: dy.count), dx = [Float](repeating: .nan, count: x.count)
        var dw = [Float](repeating: .nan, count: w.count)
        TinyMapConvolution.forward(x, weight: w, bias: nil, &y, g, epilogue: .none)
        TinyMapConvolution.backwardInput(dy, weight: w, &dx, g)
        TinyMapConvolution.backwardWeight(dy, x, dweight: &dw, g)
        return (y, dx, dw)
    }

    /// Forward: one sum of C·P products per output (γ_{C·P}); input gradient: O·P (γ_{O·P});
    /// weight gradient: N per pixel pair, then at most P pairs a tap (γ_{N+P}). In bf16 against
    /// the exact result of the rounded operands — which the FP32 passes miss by more than the
    /// bound, so the operands really are rounded.
    @Test(arguments: 0..<5) func passesAreWithinTheirBounds(_ i: Int) {
        let s = Self.shapes[i]
        let x = AutocastTests.random(s.batch * s.c * s.h * s.w, seed: 40), w = AutocastTests.random(s.o * s.c * s.k * s.k, seed: 41)
        let dy = AutocastTests.random(s.batch * s.o * s.h * s.w, seed: 42)
        let pp = s.h * s.w
        let bounds = (AutocastTests.gamma(s.c * pp), AutocastTests.gamma(s.o * pp), AutocastTests.gamma(s.batch + pp))
        for precision in [Precision.fp32, .bf16] {
            let g = Self.geometry(s, precision)
            #expect(TinyMapConvolution.computes(g))
            let exact = precision == .bf16
                ? AutocastTests.Exact(g, x: AutocastTests.rounded(x), w: AutocastTests.rounded(w), dy: AutocastTests.rounded(dy))
                : AutocastTests.Exact(g, x: x.map(Double.init), w: w.map(Double.init), dy: dy.map(Double.init))
            let got = Self.passes(g, x: x, w: w, dy: dy)
            let what = "\(s) \(precision)"
            #expect(AutocastTests.worst(got.y, exact.y, exact.yMagnitude, gamma: bounds.0) <= 1, "forward, \(what)")
            #expect(AutocastTests.worst(got.dx, exact.dx, exact.dxMagnitude, gamma: bounds.1) <= 1, "input gradient, \(what)")
            #expect(AutocastTests.worst(got.dw, exact.dw, exact.dwMagnitude, gamma: bounds.2) <= 1, "weight gradient, \(what)")
            if precision == .bf16 {
                let single = Self.passes(Self.geometry(s, .fp32), x: x, w: w, dy: dy)
                #expect(AutocastTests.worst(single.y, exact.y, exact.yMagnitude, gamma: bounds.0) > 1, "FP32 as close as bf16, \(what)")
            }
        }
    }

    /// The bias, residual and ReLU as the separate ops give them: `relu((conv + bias) + residual)`.
    @Test func epilogueIsTheSeparateOps() {
        let s: Shape = (3, 9, 6, 2, 2, 3, 1)
        let g = Self.geometry(s, .bf16)
        let x = AutocastTests.random(s.batch * s.c * 4, seed: 43), w = AutocastTests.random(s.o * s.c * 9, seed: 44)
        let bias = AutocastTests.random(s.o, seed: 45), residual = AutocastTests.random(s.batch * s.o * 4, seed: 46)
        var plain = [Float](repeating: .nan, count: residual.count), fused = plain
        TinyMapConvolution.forward(x, weight: w, bias: nil, &plain, g, epilogue: .none)
        residual.withUnsafeBufferPointer { r in
            TinyMapConvolution.forward(x, weight: w, bias: bias, &fused, g, epilogue: OutputEpilogue(residual: r.baseAddress, relu: true))
        }
        let expected = plain.indices.map { i -> Float in
            let v = (plain[i] + bias[i / 4 % s.o]) + residual[i]
            return 0 >= v ? 0 : v
        }
        #expect(fused == expected)
    }

    /// `fs_bf16_dense_taps`, D and Dᵀ, vectorised (where the CPU has it) and scalar, by row
    /// ranges: the bits of rounding the Swift builder's Float matrix.
    @Test(arguments: 0..<5) func roundedDenseMatrixIsTheRoundedFloatOne(_ i: Int) {
        let s = Self.shapes[i]
        let g = Self.geometry(s, .bf16)
        let w = AutocastTests.random(s.o * s.c * s.k * s.k, seed: 47)
        let pp = s.h * s.w, count = s.c * pp * s.o * pp
        let taps = TinyMapConvolution.taps(g).map { Int32($0) }
        for transposed in [false, true] {
            var floats = [Float](repeating: .nan, count: count)
            if transposed { TinyMapConvolution.transposedDense(w, g, into: &floats) } else { TinyMapConvolution.dense(w, g, into: &floats) }
            let expected = BFloat16.round(floats)
            let rows = (transposed ? s.o : s.c) * pp
            for vector in BFloat16.hardware ? [Int32(0), 1] : [0] {
                var d = [UInt16](repeating: 0xffff, count: count)
                for first in stride(from: 0, to: rows, by: 3) {
                    fs_bf16_dense_taps(vector, w, s.o, s.c, s.k * s.k, pp, taps, transposed ? 1 : 0, first, min(rows, first + 3), &d)
                }
                #expect(d == expected, "\(s) transposed \(transposed) vector \(vector)")
            }
        }
    }

    /// Through `ConvolutionKernels` (the planner's choice in bf16), the bits of calling the path
    /// directly.
    @Test func plannerRunsIt() {
        let s: Shape = (2, 64, 48, 2, 2, 3, 1)
        let g = Self.geometry(s, .bf16)
        #expect(ConvolutionPlan(g).forward == .tinyMap)
        let x = AutocastTests.random(s.batch * s.c * 4, seed: 48), w = AutocastTests.random(s.o * s.c * 9, seed: 49)
        let dy = AutocastTests.random(s.batch * s.o * 4, seed: 50)
        let direct = Self.passes(g, x: x, w: w, dy: dy), planned = AutocastTests.passes(g, x: x, w: w, dy: dy)
        #expect(planned.y == direct.y && planned.dx == direct.dx && planned.dw == direct.dw)
    }
}
