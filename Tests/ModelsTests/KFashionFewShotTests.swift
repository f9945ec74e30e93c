import TestSupport
import Dataset
import Foundation
import Testing
import Tensor
import Vision
@testable import Models

@Suite struct KFashionFewShotTests {

    /// The protocol on prepared K-Fashion photos: a subset of the training photos (`rows`), the
    /// 5 starved classes keep n_f, the features are the kept rows' in order.
    @Test func fewShotProtocolOnPreparedPhotos() throws {
        let root = TemporaryFolder.name("kf-fewshot")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyKFashion.generate(into: root, width: 36)
        let prepared = root.appendingPathComponent("prepared")
        _ = try PreparedSet(tree: KFashionTree(root: root), output: prepared, preparer: PhotoPreparer(size: 24)).run()
        let names = try DirectoryListing.fileNames(in: prepared.appendingPathComponent("training_image"))
        let encoder = LabelEncoder(fitting: names.compactMap { try? ImageRecord(fileName: $0).key.className })
        let (train, _) = try KFashionData.cache(prepared: prepared, split: .training, size: 16, encoder: encoder)
        let (valid, _) = try KFashionData.cache(prepared: prepared, split: .validation, size: 16, encoder: encoder)

        // `rows` restricts the training items, in the given order.
        var plain = KFashionData.Preset.baseline
        plain.imageSize = 16; plain.batchSize = 8
        let subset = KFashionData(training: train, validation: valid, preset: plain, mean: [0.9, 0.9, 0.9], std: [0.25, 0.25, 0.25], rows: [5, 1, 3])
        #expect(subset.items.map(\.index) == [5, 1, 3] && subset.trainingBatchCount == 1)

        var protocolOptions = FewShotProtocol.Options()
        protocolOptions.shots = [1]; protocolOptions.draws = 1; protocolOptions.backboneEpochs = 1; protocolOptions.batchSize = 16
        protocolOptions.evaluation.ratios = [2]; protocolOptions.evaluation.vaeEpochs = 2
        protocolOptions.evaluation.vaeHidden = 16; protocolOptions.evaluation.latent = 4; protocolOptions.evaluation.classifierEpochs = 1
        let runner = FewShotProtocol(options: protocolOptions, directory: root.appendingPathComponent("fewshot"))
        let source = KFashionFewShotSource(training: train, validation: valid, mean: [0.9, 0.9, 0.9], std: [0.25, 0.25, 0.25])
        let cells = try runner.run(source: source)
        let cell = try #require(cells.first)
        let (rows, split) = runner.rows(draw: 0, shots: 1, labels: train.header.labels, classCount: 31)
        #expect(cell.minorityClasses == split.minorityClasses && cell.trainingImages == rows.count)
        for c in split.minorityClasses { #expect(rows.filter { train.header.labels[$0] == c }.count == 1) }
        #expect(cell.report.results.map(\.method) == ["backbone", "oversampling x2", "vae-sampling x2"])
        let features = try #require(try BackboneFeatures.read(
            from: root.appendingPathComponent("fewshot/draw-0/nf-1/features.safetensors"),
            trainLabels: rows.map { train.header.labels[$0] }, testCount: valid.count))
        #expect(features.dimension == 512 && features.train.count == rows.count * 512)
    }
}
