import Foundation
import Tensor

/// The paper's classifier over frozen features: one fully connected layer, trained with SGD
/// for a few epochs, where minority classes are drawn `k` times as often as the data hold them.
///
/// - ``Mode/plain``: every example once an epoch, on x alone (the backbone-feature baseline).
/// - ``Mode/oversampling(_:)``: minority examples repeated k× (the same x), on x alone.
/// - ``Mode/vaeSampling(_:)``: on concat[x, z] with z ~ q(z|x) from a frozen ``FeatureVAE``,
///   a fresh z for every draw; minority examples drawn k× (each with its own z). At test time z
///   is the posterior mean. `latentScale` widens (> 1) or narrows the training draws,
///   z = μ + s·σ·ε (1 is the paper's sampling; one of the knobs the paper leaves open).
public final class LatentSamplingClassifier {
    public enum Mode: Equatable, Sendable {
        case plain
        case oversampling(Int)
        case vaeSampling(Int)

        var repeats: Int {
            switch self {
            case .plain: return 1
            case .oversampling(let k), .vaeSampling(let k): return max(1, k)
            }
        }
        var usesLatent: Bool { if case .vaeSampling = self { return true } else { return false } }
    }

    public let mode: Mode
    public let fc: Linear
    public let vae: FeatureVAE?
    public let dimension: Int, classCount: Int
    /// s in z = μ + s·σ·ε for training draws.
    public let latentScale: Float

    /// - Parameter vae: required for ``Mode/vaeSampling(_:)`` (its `dimension` must be `dimension`).
    public init(mode: Mode, dimension: Int, classCount: Int, vae: FeatureVAE? = nil, latentScale: Float = 1, seed: UInt64 = 42) {
        precondition(!mode.usesLatent || vae?.dimension == dimension, "LatentSamplingClassifier: VAE sampling needs a VAE over \(dimension)-d features")
        var g = RandomGenerator(seed: seed)
        self.mode = mode; self.vae = mode.usesLatent ? vae : nil
        self.dimension = dimension; self.classCount = classCount; self.latentScale = latentScale
        fc = Linear(dimension + (mode.usesLatent ? vae?.latent ?? 0 : 0), classCount, generator: &g)
    }

    /// The classifier's input for rows of `x`: x, or concat[x, z] with z sampled (training) or the posterior mean.
    func inputs(_ x: [Float], count: Int, generator: inout RandomGenerator, sample: Bool) -> Tensor {
        let xs = Tensor(shape: [count, dimension], scalars: x)
        guard let vae else { return xs }
        let z: Tensor = withNoGrad {
            let (m, lv) = vae.encode(xs)
            guard sample else { return m }
            return FeatureVAE.reparameterize(mean: m, logVariance: latentScale == 1 ? lv : lv + 2 * Foundation.log(latentScale), generator: &generator)
        }
        return Tensor.concat([xs, z], axis: 1)
    }

    /// Trains on `count` rows of `features` with `labels`; `minority` classes are drawn k× per epoch.
    public func train(features: [Float], labels: [Int], count: Int, minority: Set<Int>, epochs: Int = 10, batchSize: Int = 64,
                      learningRate: Float = 0.01, momentum: Float = 0.9, seed: UInt64 = 42) throws {
        precondition(features.count == count * dimension && labels.count == count, "LatentSamplingClassifier.train: sizes")
        var items: [Int] = []
        for i in 0..<count { for _ in 0..<(minority.contains(labels[i]) ? mode.repeats : 1) { items.append(i) } }
        let optimizer = SGD(fc.parameters, learningRate: learningRate, momentum: momentum)
        var g = RandomGenerator(seed: seed)
        for epoch in 0..<epochs {
            let order = g.permutation(items.count)
            var begin = 0
            while begin < order.count {
                let end = min(order.count, begin + batchSize)
                var x = [Float](repeating: 0, count: (end - begin) * dimension), y: [Int] = []
                for (k, p) in order[begin..<end].enumerated() {
                    let i = items[p]
                    for j in 0..<dimension { x[k * dimension + j] = features[i * dimension + j] }
                    y.append(labels[i])
                }
                let input = inputs(x, count: end - begin, generator: &g, sample: true)
                optimizer.zeroGrad()
                let loss = softmaxCrossEntropy(logits: fc(input), targets: y)
                let value = loss.scalars[0]
                guard value.isFinite else {
                    throw TrainingError.nonFiniteOnFeatures(model: "classifier on the backbone features", epoch: epoch + 1, batch: begin / batchSize + 1, value: value,
                                                            largestFeature: features.reduce(0) { max($0, abs($1)) })
                }
                loss.backward()
                optimizer.step()
                begin = end
            }
        }
    }

    /// Predicted class of each of `count` rows of `features`.
    public func predict(features: [Float], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        var g = RandomGenerator(seed: 0)
        let logits = withNoGrad { fc(inputs(features, count: count, generator: &g, sample: false)) }
        return ClassifierEpoch.argmaxRows(logits)
    }
}
