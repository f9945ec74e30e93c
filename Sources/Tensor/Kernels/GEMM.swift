import CBLAS

/// Single-precision matrix products through OpenBLAS (row-major), parallelised by
/// ``Threading`` (see there why OpenBLAS itself runs single-threaded).
public enum GEMM {
    /// Products smaller than this many multiply-adds run on one core.
    static let parallelThreshold = 1 << 21

    /// `C[m×n] = alpha · op(A) · op(B) + beta · C`, with `op` the optional transpose;
    /// `lda`, `ldb`, `ldc` are row strides of the matrices as stored.
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = Threading.blasConfigured
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        let cores = Threading.coreCount
        if cores == 1 || m * n * k < parallelThreshold || (m < 16 && n < 16) {
            call(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Split the larger output dimension into blocks that are multiples of 16.
        if n >= m {
            let blocks = min(cores, max(1, n / 16))
            Threading.parallelRanges(blocks) { r in
                for blk in r {
                    let lo = (n * blk / blocks) & ~15, hi = blk == blocks - 1 ? n : (n * (blk + 1) / blocks) & ~15
                    if hi <= lo { continue }
                    let bOff = transposeB ? lo * ldb : lo
                    call(transposeA, transposeB, m, hi - lo, k, alpha, a, lda, b + bOff, ldb, beta, c + lo, ldc)
                }
            }
        } else {
            let blocks = min(cores, max(1, m / 16))
            Threading.parallelRanges(blocks) { r in
                for blk in r {
                    let lo = (m * blk / blocks) & ~15, hi = blk == blocks - 1 ? m : (m * (blk + 1) / blocks) & ~15
                    if hi <= lo { continue }
                    let aOff = transposeA ? lo : lo * lda
                    call(transposeA, transposeB, hi - lo, n, k, alpha, a + aOff, lda, b, ldb, beta, c + lo * ldc, ldc)
                }
            }
        }
    }

    @inline(__always)
    private static func call(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                             _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
