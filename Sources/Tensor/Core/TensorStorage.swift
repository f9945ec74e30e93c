#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The heap buffer behind one or more ``Tensor`` values: `count` 32-bit floats,
/// 64-byte aligned so SIMD loads and OpenBLAS never straddle cache lines.
///
/// Tensors share a storage until one of them is mutated (copy-on-write).
public final class TensorStorage: @unchecked Sendable {
    /// Number of elements.
    public let count: Int
    /// The first element; valid for `count` elements while the storage lives.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` uninitialised elements.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        var raw: UnsafeMutableRawPointer? = nil
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let status = posix_memalign(&raw, 64, bytes)
        guard status == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes (out of memory)")
        }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A new storage holding a copy of `other`'s elements.
    public convenience init(copying other: TensorStorage) {
        self.init(uninitializedCount: other.count)
        pointer.update(from: other.pointer, count: other.count)
    }

    deinit { free(pointer) }
}
