import Tensor

/// One labelled batch: N×C×H×W images and N class indices (and which items they were).
public struct LabelledBatch {
    /// N×C×H×W inputs.
    public var images: Tensor
    /// The N class labels.
    public var labels: [Int]
    /// The data-set indices of the items, in batch order (empty when unknown).
    public var indices: [Int]

    /// A batch; `indices` are the items' positions in their data set.
    public init(images: Tensor, labels: [Int], indices: [Int] = []) {
        precondition(images.shape.first == labels.count, "LabelledBatch: \(labels.count) labels for images \(images.shape)")
        self.images = images; self.labels = labels; self.indices = indices
    }
}
