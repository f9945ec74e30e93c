import Dataset
import Tensor

extension ResNet18 {
    /// The pooled features (512 a photo, `fc`'s input) of every batch, in evaluation mode and
    /// without a gradient tape, and — when `predictions` — the class `fc` ranks first for each.
    /// The one feature pass of the project: the few-shot backbones' features (Fashion-MNIST and
    /// K-Fashion) and mission 3-2's `FeatureExtractor` all run it. `eachBatch(examples)` is
    /// called after every batch.
    public func featuresAndPredictions(of batches: some Sequence<LabelledBatch>, predictions: Bool = true,
                                       eachBatch: ((Int) throws -> Void)? = nil) rethrows -> (features: [Float], predictions: [Int]) {
        eval()
        var features: [Float] = [], classes: [Int] = []
        try withNoGrad {
            for batch in batches {
                let x = self.features(batch.images)
                features += x.scalars
                if predictions { classes += ClassifierEpoch.argmaxRows(fc(x)) }
                try eachBatch?(batch.labels.count)
            }
        }
        return (features, classes)
    }
}
