@testable import Dataset
import Foundation
import Testing
import Tensor

/// A process of a data-parallel job builds its part of the same batches: the parts of a batch,
/// put together, are the whole batch (pixels drawn per item position, not per process).
@Suite struct BatchShardTests {
    /// 23 items of one float: the item's index plus a draw from its generator.
    func loader(_ shard: BatchShard, batchSize: Int = 6) -> BatchLoader {
        var g = RandomGenerator(seed: 5)
        return BatchLoader(order: g.permutation(23), batchSize: batchSize, itemShape: [1, 1, 1], seed: 9, epoch: 2,
                           shard: shard) { index, generator, out in
            out[0] = Float(index) + generator.uniform()
            return index % 3
        }
    }

    @Test func partsOfEveryBatchMakeTheWholeBatch() {
        let whole = Array(loader(.whole))
        #expect(whole.count == 4 && whole.last?.count == 5)
        for n in [2, 3] {
            let parts = (0..<n).map { Array(loader(BatchShard(rank: $0, count: n, split: .withinBatches))) }
            for (k, batch) in whole.enumerated() {
                let shares = parts.map { $0[k] }
                #expect(shares.flatMap(\.images.scalars) == batch.images.scalars)
                #expect(shares.flatMap(\.labels) == batch.labels && shares.flatMap(\.indices) == batch.indices)
                #expect(shares.allSatisfy { $0.wholeCount == batch.count })
                #expect(shares.map(\.offsetInWhole) == (0..<n).map { min(batch.count, $0 * 6 / n) })
            }
        }
        // The last batch (5 of 6) over 3 processes: 2, 2, 1 items; over 6: the sixth is empty.
        let six = (0..<6).map { Array(loader(BatchShard(rank: $0, count: 6, split: .withinBatches)))[3].count }
        #expect(six == [1, 1, 1, 1, 1, 0])
    }

    @Test func wholeBatchesGoRoundRobin() {
        let whole = Array(loader(.whole))
        for n in [2, 3, 5] {
            for r in 0..<n {
                let mine = Array(loader(BatchShard(rank: r, count: n, split: .wholeBatches)))
                let expected = stride(from: r, to: whole.count, by: n).map { whole[$0] }
                #expect(mine.map(\.images.scalars) == expected.map(\.images.scalars))
                #expect(mine.allSatisfy { $0.offsetInWhole == 0 && $0.wholeCount == $0.count })
            }
        }
    }

    @Test func groupsOfABatchMakeTheBatch() {
        let batch = Array(loader(.whole))[0]
        for size in [1, 2, 4, 6, 10] {
            let groups = batch.groups(of: size)
            #expect(groups.count == (batch.count + size - 1) / size)
            #expect(groups.flatMap(\.images.scalars) == batch.images.scalars && groups.flatMap(\.labels) == batch.labels)
            #expect(groups.map(\.offsetInWhole) == stride(from: 0, to: batch.count, by: size).map { $0 })
        }
    }
}
