import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of threads in the process.
///
/// Two pools could fight over the cores: OpenBLAS's and ours (Dispatch). OpenBLAS's
/// workers also spin for about 2^28 cycles after each GEMM, which would steal a core
/// from the pooling or batch-norm kernel that follows. So OpenBLAS is kept to one
/// thread (the caller's), and `GEMM` (Tensor) splits each large product into column or row
/// blocks that run as single-threaded `sgemm` calls on Dispatch's pool. Every
/// parallel region — GEMM, im2col, col2im, pooling, batch norm, elementwise — goes
/// through ``parallelRanges(_:minimumGrain:_:)``, one at a time, so the cores are never
/// oversubscribed. (It lives in FashionBase, below Tensor, so Vision and Dataset use the same
/// pool without the tensor library; Tensor keeps OpenBLAS on one thread before its first GEMM.)
public enum Threading {
    nonisolated(unsafe) private static var threads: Int = defaultThreads()

    /// `FASHION_THREADS` when set to a positive integer (as `OMP_NUM_THREADS` for PyTorch),
    /// otherwise every online CPU.
    static func defaultThreads() -> Int {
        if let text = getenv("FASHION_THREADS").map({ String(cString: $0) }), let n = Int(text), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Cores used by both pools.
    public static var coreCount: Int { threads }

    /// Sets the number of threads for all kernels, GEMM included (1 makes everything serial).
    public static func configure(threads count: Int) {
        threads = max(1, count)
    }

    /// Runs `body(i)` for `i` in `0..<count`, split into at most ``coreCount`` contiguous
    /// chunks when the work is large enough (`count * grain`-ish); serially otherwise.
    /// `minimumGrain` is the least number of iterations worth a chunk.
    @inlinable
    public static func parallelFor(_ count: Int, minimumGrain: Int = 1, _ body: (Int) -> Void) {
        parallelRanges(count, minimumGrain: minimumGrain) { range in
            for i in range { body(i) }
        }
    }

    /// How many chunks ``parallelChunks(_:minimumGrain:_:)`` (and ``parallelRanges(_:minimumGrain:_:)``)
    /// cut `count` iterations into: at most ``coreCount``, and never more than there are iterations.
    package static func chunkCount(_ count: Int, minimumGrain: Int = 1) -> Int {
        count <= 0 ? 0 : min(coreCount, max(1, count / max(1, minimumGrain)))
    }

    /// Like ``parallelRanges(_:minimumGrain:_:)``, with the index of each chunk (in
    /// `0..<chunkCount(count, minimumGrain:)`), so a worker can own a per-chunk buffer. The split
    /// depends only on `count`, the grain and ``coreCount``: every chunk is non-empty.
    package static func parallelChunks(_ count: Int, minimumGrain: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunkCount(count, minimumGrain: minimumGrain)
        if chunks == 0 { return }
        if chunks == 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                body(c, count * c / chunks..<count * (c + 1) / chunks)
            }
        }
    }

    /// Like ``parallelFor(_:minimumGrain:_:)`` but hands each worker a whole range.
    @inlinable
    public static func parallelRanges(_ count: Int, minimumGrain: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = min(coreCount, max(1, count / max(1, minimumGrain)))
        if chunks <= 1 { body(0..<count); return }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = count * c / chunks, hi = count * (c + 1) / chunks
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}
