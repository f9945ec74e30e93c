import FashionBase
import Foundation
import Tensor
import Vision

/// The camp's training data for mission 1-2 over prepared photos (``PreparedSet`` output).
///
/// - Classes: `{style}_{gender}` through the ``LabelEncoder`` (sorted names).
/// - Augmentation (the `camp` preset): each class is planned towards `target` images
///   (``AugmentationPlan``: multiplier round((target − n)/n)); every original gets that many
///   augmented copies — random horizontal flip, rotation and shear, colour jitter, random
///   resized crop, white fill — fixed per copy as the camp's offline augmentation was (or
///   fresh every epoch with `freshAugmentation`).
/// - Sampling: a ``WeightedRandomSampler`` with weights 1 / (class count) over the expanded
///   set, as many draws per epoch as the set has items; or a plain shuffle.
/// - Normalisation with the training mean/std (`normalization.json`).
public struct KFashionData: TrainingData {
    /// A training recipe's data settings: the camp's `camp`, `baseline` and `reduced`.
    public struct Preset: Codable, Equatable, Sendable {
        /// The preset's name.
        public var name: String
        /// Side of the model's input in pixels.
        public var imageSize: Int
        /// Images a training batch.
        public var batchSize: Int
        /// Whether minority classes are augmented up to the target.
        public var augment: Bool
        /// Per-class target of the augmentation planner (2,000 in the seed).
        public var target: Int
        /// Whether batches are drawn by a class-balanced sampler.
        public var weightedSampler: Bool
        /// Whether augmented copies are drawn anew every epoch (else fixed once).
        public var freshAugmentation: Bool

        /// A recipe of one's own (the presets below are the camp's).
        public init(name: String, imageSize: Int, batchSize: Int, augment: Bool, target: Int,
                    weightedSampler: Bool, freshAugmentation: Bool) {
            self.name = name; self.imageSize = imageSize; self.batchSize = batchSize; self.augment = augment
            self.target = target; self.weightedSampler = weightedSampler; self.freshAugmentation = freshAugmentation
        }

        /// The seed's final recipe: 224 px, augmentation towards 2,000 a class, weighted sampler.
        public static let camp = Preset(name: "camp", imageSize: 224, batchSize: 32, augment: true, target: 2000,
                                        weightedSampler: true, freshAugmentation: false)
        /// The seed's baseline: no augmentation, a plain shuffle.
        public static let baseline = Preset(name: "baseline", imageSize: 224, batchSize: 32, augment: false, target: 0,
                                            weightedSampler: false, freshAugmentation: false)
        /// The camp recipe shrunk for a 2-core CPU: 64 px, 300 a class (documented in Docs/RESULTS.md).
        public static let reduced = Preset(name: "reduced", imageSize: 64, batchSize: 32, augment: true, target: 300,
                                           weightedSampler: true, freshAugmentation: false)
    }

    /// The prepared photos of each split, decoded.
    public let training: ImageCache, validation: ImageCache
    /// The recipe.
    public let preset: Preset
    /// Per-channel normalisation (the training photos').
    public let mean: [Float], std: [Float]
    /// Seed of the augmentation and batch order.
    public let seed: UInt64
    /// The plan used (nil without augmentation).
    public let plan: AugmentationPlan?
    /// Expanded training items: (cache index, copy); copy 0 is the original.
    public let items: [(index: Int, copy: Int)]
    let sampler: WeightedRandomSampler?

    /// - Parameter rows: the training cache's photos to train on (nil: all of them).
    public init(training: ImageCache, validation: ImageCache, preset: Preset, mean: [Float], std: [Float], seed: UInt64 = 42,
                rows: [Int]? = nil) {
        self.training = training; self.validation = validation; self.preset = preset
        self.mean = mean; self.std = std; self.seed = seed
        let labels = training.header.labels
        let rows = rows ?? Array(labels.indices)
        var items: [(Int, Int)] = []
        if preset.augment {
            var counts: [String: Int] = [:]
            for i in rows { counts[training.header.classes[labels[i]], default: 0] += 1 }
            let plan = AugmentationPlan(counts: counts, target: preset.target)
            for i in rows {
                let copies = plan.multiplier(of: training.header.classes[labels[i]])
                for k in 0...copies { items.append((i, k)) }
            }
            self.plan = plan
        } else {
            items = rows.map { ($0, 0) }
            self.plan = nil
        }
        self.items = items
        sampler = preset.weightedSampler ? WeightedRandomSampler(classIndices: items.map { labels[$0.0] }) : nil
    }

    /// The camp's augmentation at `size` px (white fill).
    public static func augmentation(size: Int) -> Compose {
        Compose([RandomHorizontalFlip(),
                 RandomAffine(degrees: 15, shear: 10, interpolation: .bilinear, fill: 1),
                 ColorJitter(brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.05),
                 RandomResizedCrop(height: size, width: size, scale: 0.8...1.0)])
    }

    /// Images a training batch.
    public var trainingBatchSize: Int { preset.batchSize }

    /// Both caches' sizes, names and labels, the expanded items and the recipe, hashed
    /// (``TrainingData/fingerprint``).
    public var fingerprint: String {
        var f = Fingerprint()
        for cache in [training, validation] {
            f.combine(integers: [cache.count, cache.header.width, cache.header.height, cache.header.channels])
            for name in cache.header.names { f.combine(name); f.combine(bytes: [0]) }
            f.combine(integers: cache.header.labels)
            f.combine(cache.header.classes.joined(separator: "\u{0}"))
        }
        f.combine(integers: items.flatMap { [$0.index, $0.copy] })
        f.combine("\(preset) \(mean) \(std)")
        return "\(training.count)+\(validation.count) photos, \(items.count) items an epoch, \(f)"
    }

    /// Batches a training epoch.
    public var trainingBatchCount: Int { (items.count + preset.batchSize - 1) / preset.batchSize }

    /// The batches of 0-based `epoch` (the same epoch gives the same batches).
    public func trainingBatches(epoch: Int, shard: BatchShard) -> AnySequence<LabelledBatch> {
        var g = RandomGenerator(seed: seed &+ UInt64(epoch) &* 7919)
        let order = sampler?.indices(using: &g) ?? g.permutation(items.count)
        return AnySequence(loader(training, order: order, epoch: epoch, expanded: true, shard: shard))
    }

    /// The validation photos in order, unaugmented (or `shard`'s whole batches of them).
    public func validationBatches(shard: BatchShard) -> AnySequence<LabelledBatch> {
        AnySequence(loader(validation, order: Array(0..<validation.count), epoch: 0, expanded: false, shard: shard))
    }

    func loader(_ cache: ImageCache, order: [Int], epoch: Int, expanded: Bool, shard: BatchShard = .whole) -> BatchLoader {
        let h = cache.header.height, w = cache.header.width, c = cache.header.channels
        let items = self.items, mean = self.mean, std = self.std, seed = self.seed, fresh = preset.freshAugmentation
        let transform = KFashionData.augmentation(size: h)
        return BatchLoader(order: order, batchSize: preset.batchSize, itemShape: [c, h, w], seed: seed, epoch: epoch,
                           shard: shard) { position, generator, out in
            let (index, copy) = expanded ? items[position] : (position, 0)
            if copy == 0 {
                cache.normalizedPlanar(index, mean: mean, std: std, into: out)
            } else {
                // Offline-style copies: the same augmented image every epoch unless `fresh`.
                var g = fresh ? generator : RandomGenerator(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(copy) &* 0xBF58_476D_1CE4_E5B9))
                let image = transform(PlanarImage(cache.image(index)), using: &g).normalized(mean: mean, std: std)
                for i in 0..<out.count { out[i] = image.values[i] }
            }
            return cache.header.labels[index]
        }
    }

    /// Builds (or reuses) the cache of one split's prepared photos at `size` px in `folder`:
    /// `cache-{split}-{size}.fsimg`. Photos are labelled by their class name through `encoder`.
    public static func cache(prepared folder: URL, split: Split, size: Int, encoder: LabelEncoder,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> (cache: ImageCache, skipped: [SkippedFile]) {
        let url = folder.appendingPathComponent("cache-\(split.rawValue)-\(size).fsimg")
        let images = folder.appendingPathComponent(split.imageFolder)
        // Only the photos the folder's manifest vouches for (a stray file, or another tree's
        // photo left behind, is not data); every photo in the folder when there is no manifest.
        let vouched = PreparedSet.vouchedPhotos(in: folder, split: split)
        var names: [String] = [], labels: [Int] = [], skipped: [SkippedFile] = []
        for name in try DirectoryListing.fileNames(in: images) {
            guard let record = try? ImageRecord(fileName: name) else { continue }
            if let vouched, !vouched.contains(name) {
                skipped.append(SkippedFile(path: "\(split.imageFolder)/\(name)", reason: "not in \(folder.lastPathComponent)/manifest.csv (left from another preparation?)"))
                continue
            }
            guard let label = encoder.encode(record.key.className) else {
                skipped.append(SkippedFile(path: "\(split.imageFolder)/\(name)", reason: "class \(record.key.className) not among the training classes"))
                continue
            }
            names.append(name); labels.append(label)
        }
        // A cache is reused only when it holds exactly these photos, classes and size.
        // A cache is reused only when every photo it holds is one of these with the same label
        // (photos that failed to decode are left out of it; a preparation that changes any
        // photo deletes the caches).
        let labelOf = Dictionary(zip(names, labels), uniquingKeysWith: { a, _ in a })
        if let existing = try? ImageCache(contentsOf: url), existing.header.classes == encoder.classes, existing.header.width == size,
           zip(existing.header.names, existing.header.labels).allSatisfy({ labelOf[$0.0] == $0.1 }) { return (existing, skipped) }
        let fileNames = names
        let built = try ImageCache.build(count: names.count, names: names, labels: labels, classes: encoder.classes,
                                         width: size, height: size, channels: 3, source: folder.path, to: url, load: { i in
            try PreparedPhoto.modelImage(contentsOf: images.appendingPathComponent(fileNames[i]), size: size)
        }, progress: progress)
        return (built.cache, skipped + built.skipped)
    }
}
