import ArgumentParser
import Dataset
import FashionMPI
import Foundation
import Models
import Recommender
import Vision

/// Mission 3-2, step 1: ResNet-18 features of every photo.
struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 3-2, step 1: the 512-d ResNet-18 features (fc → identity) of every photo of both splits, as safetensors and CSV.")

    @Option(help: "A checkpoint written by `fashion train` (its metadata gives classes, input size and normalisation).")
    var checkpoint: String
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Prepared photos (`fashion prepare` output); prepared here first when missing.") var prepared = "data/prepared"
    @Option(name: [.customLong("out"), .customLong("output")], help: "Output file: NAME.safetensors or NAME.csv; the other format is written beside it.") var out = "runs/features.safetensors"
    @Option(help: "Photos per forward pass.") var batchSize = 32
    @OptionGroup var kernelOptions: KernelOptions

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be 1 or more") }
    }

    func run() throws {
        kernelOptions.apply()
        let started = Date()
        // Under mpirun every rank computes its share of the batches; rank 0 prepares, gathers and writes.
        let world = try World.join()
        let (store, skipped) = try Features.extract(checkpoint: checkpoint, dataOptions: dataOptions, prepared: prepared,
                                                    batchSize: batchSize, world: world)
        guard world.isRoot else { return World.finish(world) }
        defer { World.finish(world) }
        var written = try Features.write(store, to: out)
        let base = URL(fileURLWithPath: out)
        let csv = (FeatureFile.Format(url: base) != nil ? base.deletingPathExtension() : base).appendingPathExtension("skipped.csv")
        printError(SkippedFile.summary(skipped))
        try SkippedFile.write(skipped, to: csv)
        written.append(csv.path)
        print(String(format: "%d photos × %d features in %.1f s; wrote %@", store.count, store.dimension,
                     Date().timeIntervalSince(started), written.joined(separator: " and ")))
    }

    /// Extracts the features of both splits' prepared photos under a checkpoint.
    static func extract(checkpoint: String, dataOptions: DataOptions, prepared: String, batchSize: Int,
                        world: Communicator = SingleProcess()) throws -> (FeatureStore, [SkippedFile]) {
        let loaded = try Checkpoint.open(contentsOf: URL(fileURLWithPath: checkpoint))
        let model = loaded.model
        guard let metadata = try Checkpoint.opened(URL(fileURLWithPath: checkpoint), loaded) else {
            throw ValidationError("\(checkpoint) has no class list or normalisation in its metadata (made outside this project?)")
        }
        let preparedURL = URL(fileURLWithPath: prepared)
        let encoder = LabelEncoder(fitting: metadata.classes)
        var caches: [ImageCache] = [], skipped: [SkippedFile] = []
        func openCaches() throws {
            for split in Split.allCases {
                let (cache, s) = try KFashionData.cache(prepared: preparedURL, split: split, size: metadata.inputSize, encoder: encoder)
                caches.append(cache); skipped += s
            }
        }
        // Rank 0 prepares and caches; the others then open what it made.
        if world.isRoot {
            try dataOptions.ensurePrepared(prepared, size: metadata.preparedSize ?? metadata.inputSize, recipe: metadata.preparation,
                                           anySize: metadata.preparedSize == nil, for: checkpoint)
            try openCaches()
        }
        try world.barrier()
        if !world.isRoot { try openCaches() }
        let bar = world.isRoot ? TerminalProgress(total: caches.reduce(0) { $0 + $1.count }, label: "features: photos") : nil
        let store = try FeatureExtractor(model: model, mean: metadata.mean, std: metadata.std, batchSize: batchSize)
            .extract(caches, communicator: world) { done, total in bar?.update(done, of: total) }
        bar?.finish()
        return (store, skipped)
    }

    /// Writes `store` as NAME.safetensors and NAME.csv (from either name); returns the paths.
    static func write(_ store: FeatureStore, to path: String) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        let base = FeatureFile.Format(url: url) != nil ? url.deletingPathExtension() : url
        try OutputFolder.create(base.deletingLastPathComponent(), option: "--out", lock: true)
        // Both files are one output: committed together (OutputSet), never one new beside one old.
        var set = OutputSet(folder: base.deletingLastPathComponent(), name: base.lastPathComponent)
        var written: [String] = []
        for format in FeatureFile.Format.allCases {
            let target = base.appendingPathExtension(format.rawValue)
            try set.add(target.lastPathComponent) { try FeatureFile.write(store, to: $0, format: format) }
            written.append(target.path)
        }
        try set.commit()
        return written
    }
}
