import ArgumentParser
import Foundation
import Tensor

extension Bench {
    /// `fashion bench bf16`: the bf16 GEMM against OpenBLAS's FP32 sgemm on the same shape.
    struct BFloat16GEMM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bf16",
            abstract: "Time the bfloat16 GEMM (VDPBF16PS where the CPU has AVX512_BF16, else its scalar emulation) against OpenBLAS's FP32 sgemm, best of --repetitions.")

        @Option(help: "Rows of A and C.") var m = 1024
        @Option(help: "Columns of B and C.") var n = 1024
        @Option(help: "Columns of A, rows of B.") var k = 1024
        @Option(help: "Timed repetitions (best kept).") var repetitions = 5
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard m >= 1, n >= 1, k >= 1, repetitions >= 1 else { throw ValidationError("--m, --n, --k and --repetitions ≥ 1") }
            guard m * k <= 1 << 28, k * n <= 1 << 28, m * n <= 1 << 28 else { throw ValidationError("--m, --n, --k: a matrix over 2^28 values") }
        }

        struct Report: Codable {
            var m: Int, n: Int, k: Int, threads: Int
            var path: String
            var sgemm_ms: Double, sgemm_gflops: Double
            var bf16_ms: Double, bf16_gflops: Double
            var packing_ms: Double
            /// `GEMM.sgemm` in bf16 precision from the Float operands (what a convolution under
            /// autocast runs: rounding A, packing B panel by panel, the product).
            var autocast_ms: Double, autocast_gflops: Double
        }

        func run() throws {
            var g = RandomGenerator(seed: 1)
            let a = (0..<(m * k)).map { _ in g.normal() }, b = (0..<(k * n)).map { _ in g.normal() }
            var c = [Float](repeating: 0, count: m * n)
            func best(_ body: () -> Void) -> Double {
                body()
                var t = Double.infinity
                for _ in 0..<repetitions { let t0 = Date(); body(); t = min(t, Date().timeIntervalSince(t0)) }
                return t
            }
            let sgemm = best {
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                } } }
            }
            let a16 = BFloat16.round(a)
            let t0 = Date()
            let packed = BFloat16.PackedMatrix(rounding: b, k: k, n: n)
            let packing = Date().timeIntervalSince(t0)
            let bf16 = best { BFloat16.gemm(m: m, a: a16, b: packed, c: &c) }
            let autocast = best {
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    GEMM.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, precision: .bf16)
                } } }
            }
            let flops = 2 * Double(m) * Double(n) * Double(k)
            let r = Report(m: m, n: n, k: k, threads: Threading.coreCount, path: BFloat16.hardware ? "VDPBF16PS" : "emulated",
                           sgemm_ms: 1e3 * sgemm, sgemm_gflops: flops / sgemm / 1e9, bf16_ms: 1e3 * bf16, bf16_gflops: flops / bf16 / 1e9,
                           packing_ms: 1e3 * packing, autocast_ms: 1e3 * autocast, autocast_gflops: flops / autocast / 1e9)
            if json { try Bench.printJSON(r); return }
            print(String(format: "%d×%d×%d, %d threads: sgemm (OpenBLAS FP32) %.2f ms, %.1f GFLOP/s; bf16 (%@) %.2f ms, %.1f GFLOP/s (%.2f×); rounding and packing B %.2f ms; from Float operands (autocast) %.2f ms, %.1f GFLOP/s (%.2f×)",
                         m, n, k, r.threads, r.sgemm_ms, r.sgemm_gflops, r.path, r.bf16_ms, r.bf16_gflops, sgemm / bf16, r.packing_ms,
                         r.autocast_ms, r.autocast_gflops, sgemm / autocast))
        }
    }
}
