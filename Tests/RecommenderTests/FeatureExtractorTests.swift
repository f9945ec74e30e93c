import TestSupport
import Foundation
import Testing
import Tensor
import Vision
@testable import Dataset
@testable import Models
@testable import Recommender

@Suite struct FeatureExtractorTests {
    static func cache(_ names: [String], seed: UInt64, in folder: URL, file: String) throws -> ImageCache {
        let built = try ImageCache.build(count: names.count, names: names, labels: names.map { _ in 0 }, classes: ["ivy_M"],
                                         width: 16, height: 16, channels: 3, source: folder.path,
                                         to: folder.appendingPathComponent(file)) { i in
            var g = RandomGenerator(seed: seed &+ UInt64(i))
            return Image(width: 16, height: 16, channels: 3, pixels: (0..<(16 * 16 * 3)).map { _ in UInt8(g.int(below: 256)) })
        }
        return built.cache
    }

    /// Batched extraction equals the model's `features` image by image; a photo in both
    /// caches is one stem (the first); `hippee` names become canonical stems.
    @Test func matchesTheModelImageByImageAndDeduplicatesStems() throws {
        let folder = TemporaryFolder.name("extract")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try Self.cache(["W_00001_50_ivy_M.jpg", "T_00002_70_hippee_M.jpg", "W_00003_50_ivy_M.jpg"], seed: 1, in: folder, file: "a.fsimg")
        let b = try Self.cache(["W_00003_50_ivy_M.jpg", "W_00004_50_ivy_M.jpg"], seed: 50, in: folder, file: "b.fsimg")
        let model = ResNet18(classes: 3, stem: .small, seed: 7)
        let mean: [Float] = [0.5, 0.4, 0.3], std: [Float] = [0.2, 0.25, 0.3]
        let store = try FeatureExtractor(model: model, mean: mean, std: std, batchSize: 3).extract([a, b])
        #expect(store.stems == ["W_00001_50_ivy_M", "T_00002_70_hippie_M", "W_00003_50_ivy_M", "W_00004_50_ivy_M"])
        #expect(store.dimension == 512)
        model.eval()
        for (row, (cache, index)) in [(a, 0), (a, 1), (a, 2), (b, 1)].enumerated() {
            var x = [Float](repeating: 0, count: 3 * 16 * 16)
            x.withUnsafeMutableBufferPointer { cache.normalizedPlanar(index, mean: mean, std: std, into: $0) }
            let want = withNoGrad { model.features(Tensor(shape: [1, 3, 16, 16], scalars: x)) }.scalars
            let got = Array(store.vector(row))
            #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "row \(row)")
        }
    }

    @Test func refusesPhotosWithTheWrongChannelCount() throws {
        let folder = TemporaryFolder.name("extract")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try Self.cache(["W_00001_50_ivy_M.jpg"], seed: 1, in: folder, file: "a.fsimg")
        let grey = ResNet18(classes: 3, inputChannels: 1, stem: .small)
        #expect(throws: FeatureFileError.self) { try FeatureExtractor(model: grey, mean: [0], std: [1]).extract([a]) }
    }
}
