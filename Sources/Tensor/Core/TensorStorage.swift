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

/// Large buffers (``minimumBytes`` and up) get pages of their own from the system (`mmap`)
/// and go back to this cache when freed, like PyTorch's caching allocators: a later
/// request is served from pages already faulted in, without a system call.
///
/// Kept ranges are handed out best fit — a range larger than asked for is split, and
/// freed ranges that touch are joined again — so memory freed as one phase of a training
/// step ends (the small activations) serves the next (the large gradients). The cache
/// never lets the bytes it manages (in use plus kept) grow past the most that were ever
/// in use at once (``highWaterBytes``) plus ``headroomPercent`` of it: a request no kept
/// range fits first gives the ranges kept longest back to the system. The headroom is what
/// lets a repeating pattern of requests (a training step) settle: with none, the ranges a
/// step's requests cut are seldom the ones the next step asks for, and every step maps and
/// faults in pages afresh (``mappedBytes`` counts them). At most ``limitBytes`` are kept;
/// ``releaseAll()`` returns them all. Smaller buffers go straight to `malloc`.
public final class StorageCache: @unchecked Sendable {
    /// The process-wide cache.
    public static let shared = StorageCache()
    /// Buffers smaller than this come from `malloc` and are not cached.
    public static let minimumBytes = 1 << 16
    /// The system's page size: cached buffers are whole pages.
    static let pageBytes: Int = { let size = sysconf(Int32(_SC_PAGESIZE)); return size > 0 ? size : 4096 }()

    /// A kept range of pages, and when it was last freed (larger is later).
    struct Range {
        var start: UnsafeMutableRawPointer
        var bytes: Int
        var order: Int
        var end: UnsafeMutableRawPointer { start + bytes }
    }

    struct State {
        /// Kept ranges in address order; no two touch (they are joined).
        var free: [Range] = []
        var cachedBytes = 0
        var limit = StorageCache.defaultLimit
        /// Bytes of cached-size buffers in use, and the most there ever were at once.
        var liveBytes = 0, highWater = 0
        var order = 0
        /// How far past the high-water mark in-use plus kept bytes may go, in percent of it.
        var headroomPercent = 25
        /// Bytes obtained from the system as fresh pages.
        var mapped = 0

        /// The most bytes in use plus kept before a request that no kept range fits unmaps some.
        var bound: Int { highWater + highWater / 100 * headroomPercent }

        /// Takes `bytes` from the smallest kept range that holds them (its front), if any.
        mutating func takeBestFit(_ bytes: Int) -> UnsafeMutableRawPointer? {
            var best = -1, bestBytes = Int.max
            for (i, r) in free.enumerated() where r.bytes >= bytes && r.bytes < bestBytes {
                best = i; bestBytes = r.bytes
                if r.bytes == bytes { break }
            }
            guard best >= 0 else { return nil }
            let i = best
            let p = free[i].start
            if free[i].bytes == bytes {
                free.remove(at: i)
            } else {
                free[i].start += bytes; free[i].bytes -= bytes
            }
            cachedBytes -= bytes
            return p
        }

        /// Keeps `[p, p + bytes)`, joined with the kept ranges it touches.
        mutating func keep(_ p: UnsafeMutableRawPointer, _ bytes: Int) {
            order += 1
            var lo = 0, hi = free.count   // the first range past p
            while lo < hi { let mid = (lo + hi) / 2; if free[mid].start > p { hi = mid } else { lo = mid + 1 } }
            var i = lo
            var range = Range(start: p, bytes: bytes, order: order)
            if i > 0 && free[i - 1].end == p {
                range.start = free[i - 1].start; range.bytes += free[i - 1].bytes
                free.remove(at: i - 1); i -= 1
            }
            if i < free.count && free[i].start == range.end {
                range.bytes += free[i].bytes
                free.remove(at: i)
            }
            free.insert(range, at: i)
            cachedBytes += bytes
        }

        /// Removes the range kept longest, if any.
        mutating func popOldest() -> Range? {
            guard let i = free.indices.min(by: { free[$0].order < free[$1].order }) else { return nil }
            cachedBytes -= free[i].bytes
            return free.remove(at: i)
        }
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

    /// How far in-use plus kept bytes may grow past ``highWaterBytes``, in percent of it
    /// (default 25): room for the kept ranges to settle into the sizes a repeating pattern
    /// of requests asks for. 0 holds the cache to the high-water mark, at the price of
    /// mapping pages afresh whenever the kept ranges are cut the wrong way.
    public var headroomPercent: Int {
        get { state.withLock { $0.headroomPercent } }
        set { state.withLock { $0.headroomPercent = max(0, newValue) } }
    }

    /// Bytes obtained from the system as fresh pages since the cache was made: each one is
    /// a page fault on first touch. A training loop should stop adding to it after a few steps.
    public var mappedBytes: Int { state.withLock { $0.mapped } }

    /// Bytes currently held for reuse.
    public var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Bytes of cached-size buffers (``minimumBytes`` and up, in whole pages) in use now.
    public var liveBytes: Int { state.withLock { $0.liveBytes } }

    /// The most bytes of cached-size buffers in use at once since the process started or
    /// ``releaseAll()`` was last called; in-use plus kept bytes stay within it plus
    /// ``headroomPercent`` of it.
    public var highWaterBytes: Int { state.withLock { $0.highWater } }

    /// The most bytes in use plus kept: ``highWaterBytes`` plus ``headroomPercent`` of it.
    var boundBytes: Int { state.withLock { $0.bound } }

    /// The bytes a buffer of `bytes` occupies: whole pages when cached.
    static func footprint(_ bytes: Int) -> Int {
        bytes < minimumBytes ? bytes : (bytes + pageBytes - 1) / pageBytes * pageBytes
    }

    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= Self.minimumBytes else { return fromSystem(bytes, Self.aligned) }
        let size = Self.footprint(bytes)
        var evicted: [Range] = []
        let reused: UnsafeMutableRawPointer? = state.withLock { s in
            s.liveBytes += size
            s.highWater = max(s.highWater, s.liveBytes)
            if let p = s.takeBestFit(size) { return p }
            // Nothing kept fits: stay within the bound, ranges kept longest first.
            while s.liveBytes + s.cachedBytes > s.bound, let r = s.popOldest() { evicted.append(r) }
            s.mapped += size
            return nil
        }
        for r in evicted { munmap(r.start, r.bytes) }
        return reused ?? fromSystem(size, Self.map)
    }

    /// `obtain(bytes)`, or after giving every cached buffer back, once more.
    private func fromSystem(_ bytes: Int, _ obtain: (Int) -> UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
        if let p = obtain(bytes) { return p }
        releaseAll()
        guard let p = obtain(bytes) else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes (out of memory)")  // trap-ok: out of memory, as Swift.Array
        }
        return p
    }

    /// `malloc`'s memory, 64-byte aligned, or nil when there is none.
    private static func aligned(_ bytes: Int) -> UnsafeMutableRawPointer? {
        var raw: UnsafeMutableRawPointer? = nil
        return posix_memalign(&raw, 64, bytes) == 0 ? raw : nil
    }

    /// Fresh anonymous pages, or nil when the system has none.
    private static func map(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        return p
    }

    func release(_ p: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.minimumBytes else { free(p); return }
        let size = Self.footprint(bytes)
        let kept: Bool = state.withLock { s in
            s.liveBytes -= size
            guard s.cachedBytes + size <= s.limit else { return false }
            s.keep(p, size)
            return true
        }
        if !kept { munmap(p, size) }
    }

    /// Returns every cached buffer to the system, and starts the high-water mark afresh
    /// from the bytes in use now.
    public func releaseAll() {
        let all: [Range] = state.withLock { s in
            defer { s.free = []; s.cachedBytes = 0; s.highWater = s.liveBytes }
            return s.free
        }
        for r in all { munmap(r.start, r.bytes) }
    }

    private func trim() {
        let excess: [Range] = state.withLock { s in
            var out: [Range] = []
            while s.cachedBytes > s.limit, let r = s.popOldest() { out.append(r) }
            return out
        }
        for r in excess { munmap(r.start, r.bytes) }
    }
}
