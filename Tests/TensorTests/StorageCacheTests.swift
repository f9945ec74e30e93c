import Testing
@testable import Tensor

/// The caching allocator behind large tensors: best fit with splitting and joining, the
/// high-water bound, and buffers that never overlap while in use. Each test has its own
/// cache (the process-wide one serves the other tests meanwhile).
@Suite struct StorageCacheTests {
    static let mib = 1 << 20

    /// A fake address for the bookkeeping tests (never dereferenced).
    static func at(_ mib: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: (mib + 1) << 20)! }

    @Test func keptRangesJoinAndSplitBestFit() {
        var s = StorageCache.State()
        let m = Self.mib
        s.keep(Self.at(0), 2 * m)
        s.keep(Self.at(4), 1 * m)
        s.keep(Self.at(2), 2 * m)   // touches both: one range of 5 MiB
        #expect(s.free.count == 1 && s.free[0].start == Self.at(0) && s.free[0].bytes == 5 * m && s.cachedBytes == 5 * m)
        s.keep(Self.at(10), 1 * m)
        // Best fit: the 1 MiB range, not the front of the 5 MiB one.
        #expect(s.takeBestFit(1 * m) == Self.at(10))
        // A split takes the front and keeps the rest.
        #expect(s.takeBestFit(3 * m) == Self.at(0))
        #expect(s.free.count == 1 && s.free[0].start == Self.at(3) && s.free[0].bytes == 2 * m && s.cachedBytes == 2 * m)
        #expect(s.takeBestFit(3 * m) == nil)
        s.keep(Self.at(7), 1 * m)
        #expect(s.popOldest()?.start == Self.at(3), "the range kept longest goes first")
        #expect(s.free.count == 1 && s.cachedBytes == 1 * m)
    }

    @Test func staysWithinTheHighWaterMarkAndReusesPages() {
        let cache = StorageCache()
        let m = Self.mib
        let a = cache.allocate(bytes: 4 * m)
        cache.release(a, bytes: 4 * m)
        #expect(cache.cachedBytes == 4 * m && cache.liveBytes == 0 && cache.highWaterBytes == 4 * m)
        // 8 MiB fits no kept range: the 4 kept go back to the system rather than sit beside it.
        let b = cache.allocate(bytes: 8 * m)
        #expect(cache.cachedBytes == 0 && cache.liveBytes == 8 * m && cache.highWaterBytes == 8 * m)
        cache.release(b, bytes: 8 * m)
        // Smaller requests are cut from the kept 8 MiB, in whole pages.
        let c = cache.allocate(bytes: 3 * m + 1), d = cache.allocate(bytes: 2 * m)
        let page = StorageCache.pageBytes
        #expect(c == b && d == b + (3 * m + page))
        #expect(cache.liveBytes == 5 * m + page && cache.cachedBytes == 3 * m - page)
        cache.release(c, bytes: 3 * m + 1); cache.release(d, bytes: 2 * m)
        #expect(cache.cachedBytes == 8 * m && cache.highWaterBytes == 8 * m)
        cache.releaseAll()
        #expect(cache.cachedBytes == 0 && cache.highWaterBytes == 0)
        // Small buffers are malloc's.
        let e = cache.allocate(bytes: 100)
        cache.release(e, bytes: 100)
        #expect(cache.cachedBytes == 0 && cache.liveBytes == 0)
    }

    /// One "step": the same seeded sequence of requests and frees every time, sizes spread
    /// over 64 KiB–2 MiB, some buffers freed soon, some held to the end (activations).
    static func step(_ cache: StorageCache) {
        var g = RandomGenerator(seed: 5)
        var held: [(UnsafeMutableRawPointer, Int)] = [], soon: [(UnsafeMutableRawPointer, Int)] = []
        for _ in 0..<60 {
            let bytes = (1 << 16) + Int(g.uniform() * Float(2 << 20))
            let p = cache.allocate(bytes: bytes)
            if g.uniform() < 0.4 { held.append((p, bytes)) } else { soon.append((p, bytes)) }
            if soon.count > 3, g.uniform() < 0.6 {
                let b = soon.remove(at: Int(g.uniform() * Float(soon.count)) % soon.count)
                cache.release(b.0, bytes: b.1)
            }
        }
        for b in soon + held.reversed() { cache.release(b.0, bytes: b.1) }
    }

    /// With the default headroom a repeating step stops mapping fresh pages after a few
    /// rounds; held to the high-water mark (headroom 0) the same steps keep mapping.
    @Test func aRepeatingStepSettlesWithHeadroom() {
        func mappedInLaterSteps(headroom: Int) -> Int {
            let cache = StorageCache()
            cache.headroomPercent = headroom
            for _ in 0..<5 { Self.step(cache) }
            let before = cache.mappedBytes
            for _ in 0..<20 { Self.step(cache) }
            defer { cache.releaseAll() }
            #expect(cache.liveBytes == 0)
            #expect(cache.boundBytes == cache.highWaterBytes + cache.highWaterBytes / 100 * headroom)
            #expect(cache.cachedBytes <= cache.boundBytes)
            return cache.mappedBytes - before
        }
        #expect(StorageCache().headroomPercent == 25)
        #expect(mappedInLaterSteps(headroom: 25) == 0)
        #expect(mappedInLaterSteps(headroom: 0) > 0, "the test's pattern must be one the high-water bound alone cannot settle")
    }

    /// Buffers in use never share a byte: each is filled with its own value after a churn of
    /// frees and differently sized requests, then checked.
    @Test func buffersInUseNeverOverlap() {
        let cache = StorageCache()
        var g = RandomGenerator(seed: 17)
        var live: [(pointer: UnsafeMutablePointer<Float>, count: Int, value: Float)] = []
        for round in 0..<300 {
            if !live.isEmpty && g.uniform() < 0.45 {
                let i = Int(g.uniform() * Float(live.count)) % live.count
                let b = live.remove(at: i)
                for j in 0..<b.count where b.pointer[j] != b.value { Issue.record("buffer overwritten"); break }
                cache.release(UnsafeMutableRawPointer(b.pointer), bytes: b.count * 4)
            } else {
                let count = (1 << 14) + Int(g.uniform() * Float(1 << 19))
                let p = cache.allocate(bytes: count * 4).bindMemory(to: Float.self, capacity: count)
                p.initialize(repeating: Float(round), count: count)
                live.append((p, count, Float(round)))
            }
            #expect(cache.liveBytes + cache.cachedBytes <= cache.boundBytes)
        }
        for b in live {
            #expect(!(0..<b.count).contains { b.pointer[$0] != b.value })
            cache.release(UnsafeMutableRawPointer(b.pointer), bytes: b.count * 4)
        }
        #expect(cache.liveBytes == 0)
        cache.releaseAll()
    }
}
