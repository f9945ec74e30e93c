import Tensor

/// One labelled batch: N×C×H×W images and N class indices (and which items they were).
public struct LabelledBatch {
    /// N×C×H×W inputs.
    public var images: Tensor
    /// The N class labels.
    public var labels: [Int]
    /// The data-set indices of the items, in batch order (empty when unknown).
    public var indices: [Int]
    /// Where this batch starts in the whole batch it is a part of (a process's share of a
    /// data-parallel batch, ``BatchShard``); 0 for a whole batch.
    public var offsetInWhole = 0
    /// Items of the whole batch this one is a part of (all processes' shares together).
    public var wholeCount: Int

    /// A batch; `indices` are the items' positions in their data set.
    public init(images: Tensor, labels: [Int], indices: [Int] = []) {
        precondition(images.shape.first == labels.count, "LabelledBatch: \(labels.count) labels for images \(images.shape)")
        self.images = images; self.labels = labels; self.indices = indices; wholeCount = labels.count
    }

    /// Items in this batch.
    public var count: Int { labels.count }

    /// Consecutive groups of at most `size` items (the last may be smaller), each knowing
    /// where it sits in the whole batch: the groups whose batch-norm statistics a ghost-batch
    /// step computes apart.
    public func groups(of size: Int) -> [LabelledBatch] {
        precondition(size >= 1, "LabelledBatch.groups: size \(size)")
        guard count > size else { return [self] }
        let per = images.count / max(count, 1), shape = Array(images.shape.dropFirst())
        return stride(from: 0, to: count, by: size).map { lo in
            let hi = Swift.min(count, lo + size)
            let values = images.withUnsafeBufferPointer { Array($0[(lo * per)..<(hi * per)]) }
            var group = LabelledBatch(images: Tensor(shape: [hi - lo] + shape, scalars: values), labels: Array(labels[lo..<hi]),
                                      indices: indices.count == count ? Array(indices[lo..<hi]) : [])
            group.offsetInWhole = offsetInWhole + lo; group.wholeCount = wholeCount
            return group
        }
    }
}
