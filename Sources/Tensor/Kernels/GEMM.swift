import CBFloat16
import CBLAS

/// Single-precision matrix products through OpenBLAS (row-major), parallelised by
/// ``Threading`` (see there why OpenBLAS itself runs single-threaded).
public enum GEMM {
    /// Keeps OpenBLAS on the calling thread; evaluated once, before the first GEMM.
    static let blasConfigured: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Products smaller than this many multiply-adds run on one core.
    static let parallelThreshold = 1 << 21

    /// `C[m×n] = alpha · op(A) · op(B) + beta · C`, with `op` the optional transpose;
    /// `lda`, `ldb`, `ldc` are row strides of the matrices as stored. In ``Precision/bf16`` the
    /// operands are rounded to bfloat16 and the products summed in FP32 (``BFloat16``); `alpha`
    /// must then be 1 and `beta` 0 or 1.
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, precision: Precision = .fp32) {
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc, precision: precision, roundedA: nil)
    }

    /// The product with, in bf16, op(A) already rounded (`roundedA`, m × k row-major).
    static func sgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, precision: Precision, roundedA: UnsafePointer<UInt16>?) {
        _ = GEMM.blasConfigured
        if emptyProduct(m: m, n: n, k: k, beta: beta, c: c, ldc: ldc) { return }
        let p = Product(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, precision: precision, roundedA: roundedA)
        if precision == .bf16 && roundedA == nil && p.blocks > 1 {
            // Round A once, not once per block.
            BFloat16.withRounded(.bf16, transposed: transposeA, m: m, k: k, lda: lda, matrix: { _ in a }) { a16 in
                sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                      beta: beta, c: c, ldc: ldc, precision: precision, roundedA: a16)
            }
            return
        }
        let blocks = p.blocks
        if blocks == 1 { p.run(block: 0, of: 1); return }
        Threading.parallelRanges(blocks) { r in for blk in r { p.run(block: blk, of: blocks) } }
    }

    /// One product on the calling thread, for callers that already run one task per core
    /// (``ImageParallelConvolution``). `m`, `n` and `k` must be positive.
    static func serial(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, precision: Precision = .fp32,
                       roundedA: UnsafePointer<UInt16>? = nil) {
        _ = GEMM.blasConfigured
        call(transposeA, transposeB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc, precision, roundedA)
    }

    /// Several products of one shape (Winograd's 16 components) in one parallel region: each
    /// core takes its block of every product — the same calls, with the same shapes, as
    /// ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` makes for each,
    /// so the results are bit for bit the same — without a region per product.
    static func sgemm(_ count: Int, _ product: (Int) -> Product) {
        guard count > 0 else { return }
        _ = GEMM.blasConfigured
        let first = product(0)
        if first.m == 0 || first.n == 0 || first.k == 0 {
            for i in 0..<count { let p = product(i); sgemm(transposeA: p.transposeA, transposeB: p.transposeB, m: p.m, n: p.n, k: p.k,
                                                       alpha: p.alpha, a: p.a, lda: p.lda, b: p.b, ldb: p.ldb, beta: p.beta, c: p.c, ldc: p.ldc,
                                                       precision: p.precision) }
            return
        }
        // bf16: whole products per core when there are enough — a product split by rows would
        // pack its B on every core. The bits are the same: each output sums over k in order however
        // the products are split.
        if first.precision == .bf16 && Threading.coreCount > 1 && count >= Threading.coreCount {
            Threading.parallelFor(count) { i in product(i).run(block: 0, of: 1) }
            return
        }
        let blocks = first.blocks
        Threading.parallelRanges(blocks) { r in
            for blk in r { for i in 0..<count { product(i).run(block: blk, of: blocks) } }
        }
    }

    /// One product's operands; ``blocks`` and ``run(block:of:)`` are the split of ``GEMM``.
    struct Product {
        var transposeA = false, transposeB = false
        var m: Int, n: Int, k: Int
        var alpha: Float = 1
        var a: UnsafePointer<Float>, lda: Int
        var b: UnsafePointer<Float>, ldb: Int
        var beta: Float = 0
        var c: UnsafeMutablePointer<Float>, ldc: Int
        var precision: Precision = .fp32
        /// In bf16, op(A) already rounded (``BFloat16/withRounded(_:count:transposed:m:k:lda:matrix:_:)``),
        /// m × k row-major; nil to round `a` in the call.
        var roundedA: UnsafePointer<UInt16>? = nil

        /// 1 below the parallel threshold; otherwise one block per core along the larger
        /// output dimension (multiples of 16).
        var blocks: Int {
            let cores = Threading.coreCount
            if cores == 1 || m * n * k < parallelThreshold || (m < 16 && n < 16) { return 1 }
            return min(cores, max(1, (n >= m ? n : m) / 16))
        }

        /// Block `blk` of `blocks` (all of it when `blocks` is 1).
        func run(block blk: Int, of blocks: Int) {
            if blocks == 1 {
                call(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, precision, roundedA)
            } else if n >= m {
                let lo = (n * blk / blocks) & ~15, hi = blk == blocks - 1 ? n : (n * (blk + 1) / blocks) & ~15
                if hi <= lo { return }
                let bOff = transposeB ? lo * ldb : lo
                call(transposeA, transposeB, m, hi - lo, k, alpha, a, lda, b + bOff, ldb, beta, c + lo, ldc, precision, roundedA)
            } else {
                let lo = (m * blk / blocks) & ~15, hi = blk == blocks - 1 ? m : (m * (blk + 1) / blocks) & ~15
                if hi <= lo { return }
                let aOff = transposeA ? lo : lo * lda
                call(transposeA, transposeB, hi - lo, n, k, alpha, a + aOff, lda, b, ldb, beta, c + lo * ldc, ldc, precision,
                     roundedA.map { $0 + lo * k })
            }
        }
    }

    @inline(__always)
    /// `C[m×n] = op(A) · op(B) + beta · C` in Double, row-major, on the calling thread (OpenBLAS's
    /// `cblas_dgemm`; for small products inside work that already runs one task per core).
    /// Zero sizes are handled: with `k == 0`, C becomes `beta · C`.
    public static func dgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                             a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                             beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        _ = GEMM.blasConfigured
        if emptyProduct(m: m, n: n, k: k, beta: beta, c: c, ldc: ldc) { return }
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Handles a product with a zero size — nothing for an empty C; C = beta · C (0 for beta 0,
    /// whatever C held) for k = 0 — and says whether it was one.
    private static func emptyProduct<T: BinaryFloatingPoint>(m: Int, n: Int, k: Int, beta: T, c: UnsafeMutablePointer<T>, ldc: Int) -> Bool {
        if m == 0 || n == 0 { return true }
        guard k == 0 else { return false }
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return true
    }

    fileprivate static func call(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ precision: Precision = .fp32,
                             _ roundedA: UnsafePointer<UInt16>? = nil) {
        if precision == .bf16 {
            precondition(alpha == 1 && (beta == 0 || beta == 1), "GEMM: a bf16 product takes alpha 1 and beta 0 or 1, not \(alpha) and \(beta)")
            let hardware: Int32 = BFloat16.hardware ? 1 : 0, accumulate: Int32 = beta == 0 ? 0 : 1
            let status = roundedA.map { fs_bf16_sgemm_rounded_a(hardware, tb ? 1 : 0, m, n, k, $0, k, b, ldb, accumulate, c, ldc) }
                ?? fs_bf16_sgemm(hardware, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, accumulate, c, ldc)
            precondition(status == 0, "GEMM: no memory for the bf16 operands of a \(m)×\(k)·\(k)×\(n) product")
            return
        }
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
