import CBFloat16

/// bfloat16 arithmetic for mixed precision (issue 35): rounding to bf16 as PyTorch converts
/// (round to nearest even), and matrix products of bf16 operands accumulated in FP32 —
/// `VDPBF16PS` on CPUs with AVX512_BF16 (``hardware``), a scalar emulation of the same
/// arithmetic elsewhere, so the numerics can be tested on every CPU.
///
/// ```swift
/// let a = BFloat16.round(aFloats), b = BFloat16.PackedMatrix(BFloat16.round(bFloats), k: k, n: n)
/// var c = [Float](repeating: 0, count: m * n)
/// BFloat16.gemm(m: m, a: a, b: b, c: &c)          // C = A·B, A m×k and B k×n row-major
/// ```
public enum BFloat16 {
    /// Whether this CPU (and its operating system) runs `VDPBF16PS`.
    public static let hardware: Bool = fs_bf16_hardware() != 0

    /// Which code computes a product.
    public enum Path: Sendable {
        /// The AVX512_BF16 kernel when the CPU has it, else the emulation.
        case automatic
        /// The AVX512_BF16 kernel; only where ``hardware`` is true.
        case hardware
        /// The scalar emulation (bit-identical to the hardware for inputs without denormals).
        case emulated
    }

    /// Each value rounded to bfloat16 (round to nearest even; NaN stays NaN), as bit patterns.
    public static func round(_ values: [Float]) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { d in
            if let source = s.baseAddress, let destination = d.baseAddress { fs_f32_to_bf16(source, destination, s.count) }
        } }
        return out
    }

    /// bfloat16 bit patterns widened to Float (exact).
    public static func widen(_ values: [UInt16]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { s in out.withUnsafeMutableBufferPointer { d in
            if let source = s.baseAddress, let destination = d.baseAddress { fs_bf16_to_f32(source, destination, s.count) }
        } }
        return out
    }

    /// A k × n right-hand matrix in the kernels' layout (pairs of consecutive k, 16 columns at a time).
    public struct PackedMatrix: Sendable {
        /// Rows (the product's inner dimension) and columns of the matrix packed.
        public let k: Int, n: Int
        let values: [UInt16]
        /// Packs a row-major k × n matrix of bf16 bit patterns.
        public init(_ rowMajor: [UInt16], k: Int, n: Int) {
            self.init(rowMajor, k: k, n: n, packer: fs_bf16_pack_b)
        }

        /// Rounds a row-major k × n Float matrix to bf16 and packs it in one pass.
        public init(rounding rowMajor: [Float], k: Int, n: Int) {
            self.init(rowMajor, k: k, n: n, packer: fs_bf16_pack_b_f32)
        }

        /// Packs `rowMajor` (k × n, row stride n) with one of the C packers.
        private init<T>(_ rowMajor: [T], k: Int, n: Int,
                        packer: (UnsafePointer<T>, Int, Int, Int, UnsafeMutablePointer<UInt16>) -> Void) {
            precondition(k >= 0 && n >= 0 && rowMajor.count == k * n, "PackedMatrix: \(rowMajor.count) values are not \(k) × \(n)")
            self.k = k; self.n = n
            var packed = [UInt16](repeating: 0, count: fs_bf16_packed_size(k, n))
            rowMajor.withUnsafeBufferPointer { b in packed.withUnsafeMutableBufferPointer { p in
                if let source = b.baseAddress, let destination = p.baseAddress { packer(source, n, k, n, destination) }
            } }
            values = packed
        }
    }

    /// `C = A·B` (or `C += A·B` with `accumulate`): A `m × k` bf16 row-major, B packed, C
    /// `m × n` Float row-major. Rows of C are split over the threads (``Threading``) in blocks of
    /// four; every output is computed in the same order whatever the split.
    public static func gemm(m: Int, a: [UInt16], b: PackedMatrix, c: inout [Float], accumulate: Bool = false, path: Path = .automatic) {
        let k = b.k, n = b.n
        precondition(a.count == m * k && c.count == m * n, "BFloat16.gemm: A has \(a.count) values for \(m) × \(k), C \(c.count) for \(m) × \(n)")
        precondition(path != .hardware || hardware, "BFloat16.gemm: this CPU has no AVX512_BF16")
        guard m > 0, n > 0 else { return }
        if k == 0 {   // an empty sum
            if !accumulate { for i in c.indices { c[i] = 0 } }
            return
        }
        let useHardware = path == .hardware || (path == .automatic && hardware)
        a.withUnsafeBufferPointer { ap in b.values.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            guard let aBase = ap.baseAddress, let bBase = bp.baseAddress, let cBase = cp.baseAddress else { return }
            let blocks = (m + 3) / 4
            let grain = max(1, (1 << 20) / max(1, 8 * n * max(k, 1)))   // ~a million multiply-adds a chunk
            Threading.parallelRanges(blocks, minimumGrain: grain) { r in
                let first = r.lowerBound * 4, rows = min(m, r.upperBound * 4) - first
                if useHardware {
                    fs_bf16_gemm_hardware(rows, n, k, aBase + first * k, k, bBase, cBase + first * n, n, accumulate ? 1 : 0)
                } else {
                    fs_bf16_gemm_emulated(rows, n, k, aBase + first * k, k, bBase, cBase + first * n, n, accumulate ? 1 : 0)
                }
            }
        } } }
    }

    /// Calls `body` with `count` matrices op(A) rounded to bf16 once — each `m × k` row-major,
    /// matrix `i` (read from `matrix(i)`, row stride `lda`, stored transposed with `transposed`)
    /// at `i·m·k` — for products that share a left-hand side (a convolution's weights across its
    /// images and slabs); with `nil` in FP32, where there is nothing to round.
    static func withRounded<R>(_ precision: Precision, count: Int = 1, transposed: Bool, m: Int, k: Int, lda: Int,
                               matrix: (Int) -> UnsafePointer<Float>, _ body: (UnsafePointer<UInt16>?) -> R) -> R {
        guard precision == .bf16, count > 0, m > 0, k > 0 else { return body(nil) }
        let total = count * m * k
        return Workspace.bf16Operands.withBuffer((total + 1) / 2) { floats in
            UnsafeMutableRawPointer(floats).withMemoryRebound(to: UInt16.self, capacity: total) { values in
                let rowsPerTask = max(1, min(m, (1 << 16) / k))
                let tasksPerMatrix = (m + rowsPerTask - 1) / rowsPerTask
                Threading.parallelFor(count * tasksPerMatrix, minimumGrain: total >= 1 << 17 ? 1 : count * tasksPerMatrix) { task in
                    let i = task / tasksPerMatrix, r0 = task % tasksPerMatrix * rowsPerTask, rows = min(m - r0, rowsPerTask)
                    let source = matrix(i) + (transposed ? r0 : r0 * lda)
                    fs_bf16_round_matrix(source, lda, transposed ? 1 : 0, rows, k, values + i * m * k + r0 * k)
                }
                return body(UnsafePointer(values))
            }
        }
    }
}
