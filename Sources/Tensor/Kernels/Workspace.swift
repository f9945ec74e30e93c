import Synchronization

/// Reusable scratch buffers for kernels (im2col columns, gathered gradients), so a
/// training step does not allocate and page-fault tens of megabytes per convolution.
/// Buffers are lent out and returned; the pool keeps a few of the largest.
final class Workspace: @unchecked Sendable {
    static let shared = Workspace()
    /// A pool of its own for the bf16-rounded weights of mixed precision
    /// (``BFloat16/withRounded(_:count:transposed:m:k:lda:matrix:_:)``), so their smaller buffers
    /// never push the kernels' large ones out of ``shared`` (a new buffer is a page fault per 4 KiB).
    static let bf16Operands = Workspace()
    private let free = Mutex<[TensorStorage]>([])

    /// Calls `body` with a scratch buffer of at least `count` floats (contents undefined).
    func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let storage: TensorStorage = free.withLock { list in
            if let i = list.firstIndex(where: { $0.count >= count }) { return list.remove(at: i) }
            if !list.isEmpty { list.removeFirst() }   // drop the smallest, too small
            return TensorStorage(uninitializedCount: count)
        }
        defer {
            free.withLock { list in
                list.append(storage)
                list.sort { $0.count < $1.count }
                if list.count > 4 { list.removeFirst() }
            }
        }
        return body(storage.pointer)
    }
}
