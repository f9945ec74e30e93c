#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The heap buffer behind one or more ``Tensor`` values: `count` 32-bit floats,
/// 64-byte aligned so SIMD loads and OpenBLAS never straddle cache lines.
///
/// Tensors share a storage until one of them is mutated (copy-on-write). Large buffers
/// come from and return to ``StorageCache``, so a training loop that allocates the same
/// activation sizes every step does not pay for fresh pages each time.
public final class TensorStorage: @unchecked Sendable {
    /// Number of elements.
    public let count: Int
    /// The first element; valid for `count` elements while the storage lives.
    public let pointer: UnsafeMutablePointer<Float>
    /// Bumped by every ``Tensor/withUnsafeMutableBufferPointer(_:)`` on this storage (how
    /// parameters change), so a cache of something computed from the values (the Winograd
    /// transform of a convolution's weights) can tell it is stale.
    @usableFromInline var version: UInt64 = 0

    /// Allocates `count` uninitialised elements.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        pointer = StorageCache.shared.allocate(bytes: max(count, 1) * MemoryLayout<Float>.stride)
            .bindMemory(to: Float.self, capacity: max(count, 1))
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

    deinit { StorageCache.shared.release(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * MemoryLayout<Float>.stride) }
}

/// A cache of large freed buffers keyed by exact size, like PyTorch's caching
/// allocators: a buffer of a size seen before is handed out again without a system
/// call or page faults. Buffers under ``minimumBytes`` go straight to `malloc`.
/// At most ``limitBytes`` are kept; ``releaseAll()`` returns them to the system.
public final class StorageCache: @unchecked Sendable {
    /// The process-wide cache.
    public static let shared = StorageCache()
    /// Buffers smaller than this are not cached.
    public static let minimumBytes = 1 << 16

    private struct State {
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var cachedBytes = 0
        var limit = StorageCache.defaultLimit
    }
    private let state = Mutex(State())

    /// A quarter of physical memory: room for a whole training step's activations.
    static let defaultLimit: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size / 4 : 2 << 30
    }()

    /// Most bytes kept for reuse (default a quarter of physical memory); lowering it frees the excess.
    public var limitBytes: Int {
        get { state.withLock { $0.limit } }
        set { state.withLock { $0.limit = max(0, newValue) }; trim() }
    }

    /// Bytes currently held for reuse.
    public var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= Self.minimumBytes {
            let reused: UnsafeMutableRawPointer? = state.withLock { s in
                guard let p = s.free[bytes]?.popLast() else { return nil }
                s.cachedBytes -= bytes
                return p
            }
            if let reused { return reused }
        }
        var raw: UnsafeMutableRawPointer? = nil
        if posix_memalign(&raw, 64, bytes) == 0, let raw { return raw }
        releaseAll()   // give cached memory back and try once more
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes (out of memory)")  // trap-ok: out of memory, as Swift.Array
        }
        return raw
    }

    func release(_ p: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.minimumBytes else { free(p); return }
        let kept: Bool = state.withLock { s in
            guard s.cachedBytes + bytes <= s.limit else { return false }
            s.free[bytes, default: []].append(p)
            s.cachedBytes += bytes
            return true
        }
        if !kept { free(p) }
    }

    /// Returns every cached buffer to the system.
    public func releaseAll() {
        let all: [UnsafeMutableRawPointer] = state.withLock { s in
            let ps = s.free.values.flatMap { $0 }
            s.free = [:]; s.cachedBytes = 0
            return ps
        }
        for p in all { free(p) }
    }

    private func trim() {
        let excess: [UnsafeMutableRawPointer] = state.withLock { s in
            var out: [UnsafeMutableRawPointer] = []
            while s.cachedBytes > s.limit, let key = s.free.keys.max() {
                if let p = s.free[key]?.popLast() { out.append(p); s.cachedBytes -= key }
                if s.free[key]?.isEmpty ?? false { s.free[key] = nil }
            }
            return out
        }
        for p in excess { free(p) }
    }
}
