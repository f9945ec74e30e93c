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
    /// in both splits — is taken once, from the first). `progress(done, total)` after each of
    /// this process's batches.
    ///
    /// With a `communicator` of N ranks, rank r computes the batches r, r + N, r + 2N … of the
    /// one-process run — the very same batches — and the rows are gathered and shared, so every
    /// rank returns the one-process store, byte for byte (`Tools/mpi_test.sh` compares them).
    public func extract(_ caches: [ImageCache], communicator: Communicator = SingleProcess(),
                        progress: ((Int, Int) -> Void)? = nil) throws -> FeatureStore {
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
        // This rank's share: whole batches of the one-process order, round robin.
        let batches = stride(from: 0, to: total, by: batchSize).map { $0..<min(total, $0 + batchSize) }
        let mine = batches.indices.filter { $0 % communicator.size == communicator.rank }
        let order = mine.flatMap { Array(batches[$0]) }
        var done = 0
        var local: [Float] = []
        if !order.isEmpty {
            let loader = BatchLoader(order: order, batchSize: batchSize, itemShape: shape, seed: 0) { position, _, out in
                let job = work[position]
                caches[job.cache].normalizedPlanar(job.index, mean: mean, std: std, into: out)
                return 0
            }
            local = model.featuresAndPredictions(of: loader, predictions: false) { examples in
                done += examples
                progress?(done, order.count)
            }.features
        }
        let values = try Self.assemble(local, batches: batches, communicator: communicator)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let job = jobs[bad / (values.count / total)]
            throw FeatureFileError(path: caches[job.cache].header.source, line: nil,
                                   reason: "features of \(job.stem) are not finite (a diverged checkpoint?)")
        }
        return try FeatureStore(stems: jobs.map(\.stem), values: values, dimension: values.count / total, source: first.header.source)
    }

    /// The rows of every rank's batches in the one-process order (gathered at rank 0, shared
    /// with every rank); one process's rows as they are.
    static func assemble(_ local: [Float], batches: [Range<Int>], communicator: Communicator) throws -> [Float] {
        guard communicator.size > 1 else { return local }
        let bytes = local.withUnsafeBytes { Data($0) }
        var joined = Data()
        if let all = try communicator.gather(bytes, root: 0) {
            let parts = all.map { data in data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
            let total = batches.last?.upperBound ?? 0
            let dimension = total > 0 ? parts.reduce(0) { $0 + $1.count } / total : 0
            var values = [Float](repeating: 0, count: total * dimension)
            var cursor = [Int](repeating: 0, count: communicator.size)
            for (b, range) in batches.enumerated() {
                let r = b % communicator.size, count = range.count * dimension
                guard cursor[r] + count <= parts[r].count else {
                    throw CommunicatorError(operation: "gathering features", reason: "rank \(r) sent \(parts[r].count) values, fewer than its batches hold")
                }
                values.replaceSubrange((range.lowerBound * dimension)..<(range.upperBound * dimension), with: parts[r][cursor[r]..<(cursor[r] + count)])
                cursor[r] += count
            }
            joined = values.withUnsafeBytes { Data($0) }
        }
        let shared = try communicator.broadcast(joined)
        return shared.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// The canonical stem of a photo's file name (`T_21988_70_hippee_M.jpg` → `T_21988_70_hippie_M`);
    /// a name that does not parse keeps its own stem.
    public static func stem(of fileName: String) -> String {
        if let canonical = ImageKey.canonicalStem(ofPhotoName: fileName) { return canonical }
        if let dot = fileName.lastIndex(of: ".") { return String(fileName[..<dot]) }
        return fileName
    }
}
