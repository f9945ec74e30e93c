import Dataset
import Foundation
import Models
import Tensor

/// Mission 3-2, step 1: a trained ResNet-18 with `fc` replaced by identity, run over photos
/// to give one pooled vector per photo (512-d), in eval mode and without a gradient tape.
///
/// Photos come from prepared-image caches (`ImageCache`, decoded once); batches are built on
/// a background thread while the previous one runs through the network (OpenBLAS on all cores).
public struct FeatureExtractor {
    public let model: ResNet18
    /// Per-channel normalisation of inputs in [0, 1] (the checkpoint's).
    public let mean: [Float], std: [Float]
    public var batchSize: Int

    public init(model: ResNet18, mean: [Float], std: [Float], batchSize: Int = 32) {
        self.model = model; self.mean = mean; self.std = std; self.batchSize = batchSize
    }

    /// Features of every photo of `caches`, keyed by canonical stem (a photo in several caches —
    /// in both splits — is taken once, from the first). `progress(done, total)` after each batch.
    public func extract(_ caches: [ImageCache], progress: ((Int, Int) -> Void)? = nil) throws -> FeatureStore {
        var jobs: [(cache: Int, index: Int, stem: String)] = []
        var seen = Set<String>()
        for (c, cache) in caches.enumerated() {
            guard cache.header.channels == model.conv1.weight.shape[1] else {
                throw FeatureFileError(path: cache.header.source, line: nil,
                                       reason: "photos have \(cache.header.channels) channels, the model takes \(model.conv1.weight.shape[1])")
            }
            for (i, name) in cache.header.names.enumerated() {
                let stem = FeatureExtractor.stem(of: name)
                if seen.insert(stem).inserted { jobs.append((c, i, stem)) }
            }
        }
        let total = jobs.count
        guard let first = caches.first, total > 0 else {
            throw FeatureFileError(path: caches.first?.header.source ?? "<no photos>", line: nil, reason: "no photos to extract features from")
        }
        let shape = [first.header.channels, first.header.height, first.header.width]
        guard caches.allSatisfy({ [$0.header.channels, $0.header.height, $0.header.width] == shape }) else {
            throw FeatureFileError(path: first.header.source, line: nil, reason: "caches of different photo sizes")
        }
        let mean = self.mean, std = self.std, work = jobs
        let loader = BatchLoader(order: Array(0..<total), batchSize: batchSize, itemShape: shape, seed: 0) { position, _, out in
            let job = work[position]
            caches[job.cache].normalizedPlanar(job.index, mean: mean, std: std, into: out)
            return 0
        }
        var done = 0
        let values = model.featuresAndPredictions(of: loader, predictions: false) { examples in
            done += examples
            progress?(done, total)
        }.features
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let job = jobs[bad / (values.count / total)]
            throw FeatureFileError(path: caches[job.cache].header.source, line: nil,
                                   reason: "features of \(job.stem) are not finite (a diverged checkpoint?)")
        }
        return try FeatureStore(stems: jobs.map(\.stem), values: values, dimension: values.count / total, source: first.header.source)
    }

    /// The canonical stem of a photo's file name (`T_21988_70_hippee_M.jpg` → `T_21988_70_hippie_M`);
    /// a name that does not parse keeps its own stem.
    public static func stem(of fileName: String) -> String {
        if let canonical = ImageKey.canonicalStem(ofPhotoName: fileName) { return canonical }
        if let dot = fileName.lastIndex(of: ".") { return String(fileName[..<dot]) }
        return fileName
    }
}
