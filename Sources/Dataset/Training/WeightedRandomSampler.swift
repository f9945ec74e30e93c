import Tensor

/// Indices drawn with replacement with probability ∝ weight — PyTorch's `WeightedRandomSampler`
/// (`torch.multinomial(weights, numSamples, replacement=True)`), seeded.
///
/// The same seed gives the same indices; the stream is this project's generator, not torch's,
/// so the draws match PyTorch in distribution, not index by index.
public struct WeightedRandomSampler: Sendable {
    /// Each item's weight.
    public let weights: [Double]
    /// Items drawn an epoch.
    public let sampleCount: Int
    /// Whether an item may be drawn more than once.
    public let replacement: Bool

    /// A sampler over `weights` (non-negative, not all zero) drawing `sampleCount` indices per epoch.
    public init(weights: [Double], sampleCount: Int, replacement: Bool = true) {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 && $0.isFinite } && weights.contains { $0 > 0 },
                     "WeightedRandomSampler: weights must be finite, non-negative and not all zero")
        precondition(replacement || sampleCount <= weights.filter { $0 > 0 }.count,
                     "WeightedRandomSampler: \(sampleCount) samples without replacement from \(weights.filter { $0 > 0 }.count) non-zero weights")
        self.weights = weights; self.sampleCount = sampleCount; self.replacement = replacement
    }

    /// The camp's weighting: each item weighs 1 / (its class's count), so every class is drawn
    /// equally often; `sampleCount` defaults to the number of items.
    public init(classIndices: [Int], sampleCount: Int? = nil) {
        var counts: [Int: Int] = [:]
        for c in classIndices { counts[c, default: 0] += 1 }
        self.init(weights: classIndices.map { 1 / Double(counts[$0, default: 1]) }, sampleCount: sampleCount ?? classIndices.count)
    }

    /// One epoch's indices.
    public func indices(using generator: inout RandomGenerator) -> [Int] {
        generator.multinomial(weights: weights, count: sampleCount, replacement: replacement)
    }
}
