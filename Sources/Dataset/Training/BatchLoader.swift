import Foundation
import Tensor

/// Batches built on background threads while the model trains — PyTorch's `DataLoader`
/// with workers and prefetching — in a fixed order, deterministic for a seed.
///
/// Each item is made by `produce(index, &generator)`, which writes C×H×W floats into the
/// batch's buffer. The generator of an item is derived from (seed, epoch, position), never
/// from thread timing, so the same seed gives bit-identical batches however the threads run.
/// Up to `prefetch` batches are built ahead, each on its own worker.
public final class BatchLoader: Sequence, IteratorProtocol, @unchecked Sendable {
    public typealias Producer = @Sendable (_ index: Int, _ generator: inout RandomGenerator, _ pixels: UnsafeMutableBufferPointer<Float>) -> Int

    private let order: [Int]
    private let batchSize: Int
    private let itemShape: [Int]
    private let seed: UInt64, epoch: Int
    private let produce: Producer
    private let prefetch: Int
    private let batchCount: Int
    private let globalBatchCount: Int
    private let shard: BatchShard

    private let condition = NSCondition()
    private var ready: [Int: LabelledBatch] = [:]
    private var nextToYield = 0
    private var nextToStart = 0
    private let queue = DispatchQueue(label: "BatchLoader", qos: .userInitiated, attributes: .concurrent)

    /// A loader over `order` (data-set indices, e.g. a shuffle or a ``WeightedRandomSampler``
    /// draw) in batches of `batchSize` (the last may be smaller unless `dropLast`). Items are
    /// `itemShape` = [C, H, W]; `produce` fills an item's pixels and returns its label.
    ///
    /// A `shard` of a data-parallel job builds only its process's part of the same batches
    /// (``BatchShard``); every item keeps the generator of its position in `order`, so the
    /// pixels of a batch do not depend on how many processes share it.
    public init(order: [Int], batchSize: Int, itemShape: [Int], seed: UInt64, epoch: Int = 0,
                dropLast: Bool = false, prefetch: Int = 2, shard: BatchShard = .whole, produce: @escaping Producer) {
        precondition(batchSize > 0 && itemShape.count == 3 && prefetch > 0, "BatchLoader: bad batch size, shape or prefetch")
        precondition(shard.split == .wholeBatches || batchSize % shard.count == 0,
                     "BatchLoader: a batch of \(batchSize) does not split into \(shard.count) equal parts")
        self.order = order; self.batchSize = batchSize; self.itemShape = itemShape
        self.seed = seed; self.epoch = epoch; self.produce = produce; self.prefetch = prefetch; self.shard = shard
        globalBatchCount = dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
        batchCount = shard.split == .wholeBatches
            ? (globalBatchCount > shard.rank ? (globalBatchCount - shard.rank + shard.count - 1) / shard.count : 0)
            : globalBatchCount
        condition.lock()
        startMore()
        condition.unlock()
    }

    /// Number of batches this loader yields.
    public var count: Int { batchCount }

    /// The positions in `order` of the `n`-th batch this loader yields, where that part starts
    /// in its whole batch, and how many items the whole batch has.
    func positions(ofBatch n: Int) -> (range: Range<Int>, offset: Int, whole: Int) {
        let k = shard.split == .wholeBatches ? shard.rank + n * shard.count : n
        let lo = k * batchSize, hi = Swift.min(order.count, lo + batchSize)
        guard shard.split == .withinBatches, shard.count > 1 else { return (lo..<hi, 0, hi - lo) }
        let part = batchSize / shard.count
        let start = Swift.min(hi, lo + shard.rank * part), end = Swift.min(hi, start + part)
        return (start..<end, start - lo, hi - lo)
    }

    /// The generator for the item at `position` of `epoch`'s order.
    public static func itemGenerator(seed: UInt64, epoch: Int, position: Int) -> RandomGenerator {
        RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ (UInt64(epoch) &* 0xBF58_476D_1CE4_E5B9) ^ (UInt64(position) &* 0x94D0_49BB_1331_11EB))
    }

    // Caller holds the lock.
    private func startMore() {
        while nextToStart < batchCount && nextToStart < nextToYield + prefetch {
            let b = nextToStart
            nextToStart += 1
            queue.async { [self] in
                let batch = build(b)
                condition.lock()
                ready[b] = batch
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    private func build(_ b: Int) -> LabelledBatch {
        let (range, offset, whole) = positions(ofBatch: b)
        let lo = range.lowerBound, hi = range.upperBound
        let per = itemShape.reduce(1, *)
        var values = [Float](repeating: 0, count: (hi - lo) * per)
        var labels = [Int](repeating: 0, count: hi - lo)
        values.withUnsafeMutableBufferPointer { buffer in
            for position in lo..<hi {
                var generator = Self.itemGenerator(seed: seed, epoch: epoch, position: position)
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[((position - lo) * per)..<((position - lo + 1) * per)])
                labels[position - lo] = produce(order[position], &generator, slice)
            }
        }
        var batch = LabelledBatch(images: Tensor(shape: [hi - lo] + itemShape, scalars: values), labels: labels,
                                  indices: Array(order[lo..<hi]))
        batch.offsetInWhole = offset; batch.wholeCount = whole
        return batch
    }

    /// The next batch, waiting for its worker if needed; `nil` after the last.
    public func next() -> LabelledBatch? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToYield < batchCount else { return nil }
        while ready[nextToYield] == nil { condition.wait() }
        let batch = ready.removeValue(forKey: nextToYield)
        nextToYield += 1
        startMore()
        return batch
    }
}
