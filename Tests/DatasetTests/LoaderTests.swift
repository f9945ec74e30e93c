import TestSupport
import Foundation
import Testing
import Tensor
import Vision
@testable import Dataset

@Suite struct BatchLoaderTests {
    /// Item i: a 1×2×2 image filled with i + a random draw, label i % 3.
    let produce: BatchLoader.Producer = { index, generator, pixels in
        let noise = generator.uniform()
        for k in pixels.indices { pixels[k] = Float(index) + noise }
        return index % 3
    }

    @Test func yieldsTheOrderInBatches() {
        let order = [4, 2, 9, 0, 7, 1, 3]
        let loader = BatchLoader(order: order, batchSize: 3, itemShape: [1, 2, 2], seed: 1, produce: produce)
        let batches = Array(loader)
        #expect(batches.map(\.labels.count) == [3, 3, 1])
        #expect(batches.flatMap(\.indices) == order)
        #expect(batches.flatMap(\.labels) == order.map { $0 % 3 })
        #expect(batches[0].images.shape == [3, 1, 2, 2])
        #expect(batches[0].images.scalars[4].rounded(.down) == 2)   // second item is index 2
        let dropped = BatchLoader(order: order, batchSize: 3, itemShape: [1, 2, 2], seed: 1, dropLast: true, produce: produce)
        #expect(dropped.count == 2 && Array(dropped).count == 2)
    }

    @Test func sameSeedSameBatchesWhateverThePrefetch() {
        let order = Array((0..<50).reversed())
        func run(_ prefetch: Int, seed: UInt64, epoch: Int = 0) -> [[Float]] {
            Array(BatchLoader(order: order, batchSize: 8, itemShape: [1, 2, 2], seed: seed, epoch: epoch, prefetch: prefetch, produce: produce)).map(\.images.scalars)
        }
        let a = run(1, seed: 5), b = run(4, seed: 5)
        #expect(a == b)
        #expect(a != run(2, seed: 6))
        #expect(a != run(2, seed: 5, epoch: 1))
    }
}

@Suite struct ImageCacheTests {
    func temporary() throws -> URL {
        let dir = TemporaryFolder.name("cache")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func roundTripsAndSkipsFailures() throws {
        let url = try temporary().appendingPathComponent("training.fsimg")
        struct Broken: Error, CustomStringConvertible { var description: String { "damaged image" } }
        let (cache, skipped) = try ImageCache.build(
            count: 4, names: ["a", "b", "c", "d"], labels: [0, 1, 1, 0], classes: ["x", "y"],
            width: 3, height: 2, channels: 3, source: "test", to: url) { i in
                if i == 2 { throw Broken() }
                return Image(width: 3, height: 2, channels: 3, pixels: (0..<18).map { UInt8($0 * 10 + i) })
            }
        #expect(skipped == [SkippedFile(path: "c", reason: "damaged image")])
        #expect(cache.count == 3 && cache.header.names == ["a", "b", "d"] && cache.header.labels == [0, 1, 0])
        let reopened = try ImageCache(contentsOf: url)
        #expect(reopened.header == cache.header)
        let expected: [UInt8] = (0..<18).map { (k: Int) -> UInt8 in UInt8(k * 10 + 3) }
        #expect(reopened.image(2).pixels == expected)
        var planar = [Float](repeating: 0, count: 18)
        planar.withUnsafeMutableBufferPointer { reopened.normalizedPlanar(0, mean: [0.5, 0, 0], std: [0.5, 1, 1], into: $0) }
        // Pixel 0, channel 0 is 0 → (0 − 0.5)/0.5 = −1; channel 1 plane starts at 6: pixel 0 channel 1 = 10.
        #expect(planar[0] == -1)
        #expect(abs(planar[6] - 10 / 255) < 1e-6)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(leftovers == ["training.fsimg"])
    }

    @Test func damagedFilesAreNamed() throws {
        let dir = try temporary()
        let bad = dir.appendingPathComponent("bad.fsimg")
        try Data("hello".utf8).write(to: bad)
        #expect(throws: ImageCacheError(path: bad.path, reason: "not an image cache (bad signature)")) { try ImageCache(contentsOf: bad) }
        let url = dir.appendingPathComponent("ok.fsimg")
        _ = try ImageCache.build(count: 1, names: ["a"], labels: [0], classes: ["x"], width: 2, height: 2, channels: 1,
                                 source: "", to: url) { _ in Image(width: 2, height: 2, channels: 1, filledWith: 9) }
        let full = try Data(contentsOf: url)
        try full.dropLast(1).write(to: bad)
        do { _ = try ImageCache(contentsOf: bad); Issue.record("truncated cache opened") } catch let e as ImageCacheError {
            #expect(e.reason.contains("truncated"))
        }
    }
}
