@testable import Dataset
import TestSupport
import Foundation
import Testing
import Tensor
import Vision

@Suite struct KFashionDataTests {
    @Test func campPresetExpandsSamplesAndBatches() throws {
        let root = TemporaryFolder.name("kf-data")
        var options = KFashionGenerator.Options()
        options.scale = 0.02; options.imageWidth = 36; options.respondents = 10; options.orphanLabels = 0
        _ = try KFashionGenerator(options: options).generate(into: root)
        let prepared = root.appendingPathComponent("prepared")
        _ = try PreparedSet(tree: KFashionTree(root: root), output: prepared, preparer: PhotoPreparer(size: 24)).run()
        let names = try DirectoryListing.fileNames(in: prepared.appendingPathComponent("training_image"))
        let encoder = LabelEncoder(fitting: names.compactMap { try? ImageRecord(fileName: $0).key.className })
        #expect(encoder.count == 31)
        let (train, _) = try KFashionData.cache(prepared: prepared, split: .training, size: 16, encoder: encoder)
        let (valid, _) = try KFashionData.cache(prepared: prepared, split: .validation, size: 16, encoder: encoder)
        #expect(train.count == names.count && train.header.width == 16)
        // Reopening reuses the cache file.
        let again = try KFashionData.cache(prepared: prepared, split: .training, size: 16, encoder: encoder)
        #expect(again.cache.header == train.header)

        var preset = KFashionData.Preset.camp
        preset.imageSize = 16; preset.target = 20; preset.batchSize = 16
        let data = KFashionData(training: train, validation: valid, preset: preset, mean: [0.9, 0.9, 0.9], std: [0.25, 0.25, 0.25])
        let plan = try #require(data.plan)
        #expect(data.items.count == plan.total)
        let batches = Array(data.trainingBatches(epoch: 0))
        #expect(batches.count == data.trainingBatchCount && batches[0].images.shape == [16, 3, 16, 16])
        // The weighted sampler balances classes over the expanded set.
        var perClass = [Int](repeating: 0, count: 31)
        for b in batches { for l in b.labels { perClass[l] += 1 } }
        #expect(perClass.filter { $0 == 0 }.count <= 2, "\(perClass)")
        // Same epoch, same batches; augmented copies are fixed across epochs (offline augmentation).
        let replay = Array(data.trainingBatches(epoch: 0))
        #expect(replay.map(\.images.scalars) == batches.map(\.images.scalars))
        let copy = try #require(data.items.firstIndex { $0.copy == 1 })
        func render(_ epoch: Int) -> [Float] {
            var out = [Float](repeating: 0, count: 3 * 16 * 16)
            out.withUnsafeMutableBufferPointer { buffer in
                let loader = data.loader(train, order: [copy], epoch: epoch, expanded: true)
                let batch = loader.next()!
                for i in 0..<buffer.count { buffer[i] = batch.images.scalars[i] }
            }
            return out
        }
        #expect(render(0) == render(3))
        let validation = Array(data.validationBatches())
        #expect(validation.reduce(0) { $0 + $1.labels.count } == valid.count)
    }
}
