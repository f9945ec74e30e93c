import Foundation
import Tensor

/// The paper's β-VAE over frozen backbone features (Park 2021, "Improving fashion style
/// classification accuracy using VAE in a class-imbalance problem"): an encoder
/// `D → hidden → (μ, log σ²)` with a `latent`-d code (128 in the paper), a decoder
/// `latent → hidden → D`, the reparameterisation `z = μ + σ·ε` with the project's seeded
/// generator, and the loss `reconstruction + β·KL`.
///
/// Reconstruction is the squared error summed over a sample's D features and averaged over
/// the batch (the paper's per-sample sum; `F.mse_loss(x̂, x, reduction="sum") / N`); KL is the
/// closed-form KL(q(z|x) ‖ 𝒩(0, I)) summed over the latent dimensions, averaged over the batch.
/// β starts at 0 and rises by `betaStep` (5.6e-6) every epoch until `betaLastEpoch` (90).
public final class FeatureVAE: Layer {
    /// Training mode (sampled z) or evaluation mode.
    public var isTraining = true
    /// Features → hidden layer (Linear + ReLU).
    public let encoder: Sequential
    /// Hidden layer → μ of q(z|x).
    public let mean: Linear
    /// Hidden layer → log σ² of q(z|x).
    public let logVariance: Linear
    /// z → reconstructed features.
    public let decoder: Sequential
    /// The feature dimension D and the latent dimension.
    public let dimension: Int, latent: Int

    /// A VAE over `dimension`-d features, PyTorch's default initialisation from `seed`.
    public init(dimension: Int, hidden: Int = 256, latent: Int = 128, seed: UInt64 = 42) {
        var g = RandomGenerator(seed: seed)
        self.dimension = dimension; self.latent = latent
        encoder = Sequential([Linear(dimension, hidden, generator: &g), ReLU()])
        mean = Linear(hidden, latent, generator: &g)
        logVariance = Linear(hidden, latent, generator: &g)
        decoder = Sequential([Linear(latent, hidden, generator: &g), ReLU(), Linear(hidden, dimension, generator: &g)])
    }

    /// q(z|x): the mean and log-variance of each row of `x` (N×D → two N×latent).
    public func encode(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let h = encoder(x)
        return (mean(h), logVariance(h))
    }

    /// `z = μ + exp(½ log σ²) · ε`, ε ~ 𝒩(0, I) drawn from `generator` (no gradient through ε).
    public static func reparameterize(mean: Tensor, logVariance: Tensor, generator: inout RandomGenerator) -> Tensor {
        let epsilon = Tensor(shape: mean.shape, scalars: (0..<mean.count).map { _ in generator.normal() })
        return mean + (logVariance * 0.5).exp() * epsilon
    }

    /// The reconstruction of `x` through a sampled z, with the posterior's parameters.
    public func callAsFunction(_ x: Tensor, generator: inout RandomGenerator) -> (reconstruction: Tensor, mean: Tensor, logVariance: Tensor) {
        let (m, lv) = encode(x)
        return (decoder(Self.reparameterize(mean: m, logVariance: lv, generator: &generator)), m, lv)
    }

    /// Layer conformance: the reconstruction through the posterior mean (no sampling).
    public func callAsFunction(_ x: Tensor) -> Tensor { decoder(encode(x).mean) }

    /// The loss terms of one batch.
    public struct Loss {
        /// `reconstruction + β·KL`, differentiable.
        public var total: Tensor
        /// Per-sample summed squared error, batch mean.
        public var reconstruction: Float
        /// KL summed over latent dimensions, batch mean.
        public var kl: Float
    }

    /// `reconstruction + β·KL` for a batch.
    public func loss(_ x: Tensor, beta: Float, generator: inout RandomGenerator) -> Loss {
        let (r, m, lv) = self(x, generator: &generator)
        let reconstruction = meanSquaredError(r, x) * Float(dimension)
        let kl = gaussianKLDivergence(mean: m, logVariance: lv)
        let total = reconstruction + kl * beta
        return Loss(total: total, reconstruction: reconstruction.scalars[0], kl: kl.scalars[0])
    }

    /// How β grows: 0 at the first epoch, +`step` per epoch, constant from `lastEpoch` on.
    public struct BetaSchedule: Codable, Equatable, Sendable {
        /// β's rise per epoch.
        public var step: Float = 5.6e-6
        /// The epoch from which β stays constant.
        public var lastEpoch = 90
        /// A schedule (the paper's by default).
        public init(step: Float = 5.6e-6, lastEpoch: Int = 90) { self.step = step; self.lastEpoch = lastEpoch }
        /// β during `epoch` (0-based).
        public func beta(epoch: Int) -> Float { step * Float(min(epoch, lastEpoch)) }
    }

    /// One epoch's figures.
    public struct EpochLog: Codable, Equatable, Sendable {
        /// The epoch, counted from 0.
        public var epoch: Int
        /// β during it.
        public var beta: Float
        /// Mean per-sample reconstruction error.
        public var reconstruction: Double
        /// Mean KL.
        public var kl: Double
    }

    /// Trains on the rows of `data` (`count × dimension`): Adam, shuffled mini-batches, β by
    /// `schedule`; everything random comes from `seed`. Throws when the loss stops being finite.
    @discardableResult
    public func train(_ data: [Float], count: Int, epochs: Int = 100, batchSize: Int = 64, learningRate: Float = 1e-3,
                      schedule: BetaSchedule = BetaSchedule(), seed: UInt64 = 42,
                      progress: ((EpochLog) -> Void)? = nil) throws -> [EpochLog] {
        precondition(data.count == count * dimension, "FeatureVAE.train: \(data.count) values for \(count) × \(dimension)")
        let optimizer = Adam(parameters, learningRate: learningRate)
        var g = RandomGenerator(seed: seed)
        var logs: [EpochLog] = []
        train(true)
        defer { train(false) }
        for epoch in 0..<epochs {
            let beta = schedule.beta(epoch: epoch)
            let order = g.permutation(count)
            var rec = 0.0, kl = 0.0, seen = 0
            var begin = 0
            while begin < count {
                let end = min(count, begin + batchSize)
                optimizer.zeroGrad()
                let l = loss(FeatureRows.batch(data, rows: order[begin..<end], dimension: dimension), beta: beta, generator: &g)
                let value = l.total.scalars[0]
                guard value.isFinite else {
                    throw TrainingError.nonFiniteOnFeatures(model: "VAE on the backbone features", epoch: epoch + 1, batch: begin / batchSize + 1, value: value,
                                                            largestFeature: data.reduce(0) { max($0, abs($1)) })
                }
                l.total.backward()
                optimizer.step()
                rec += Double(l.reconstruction) * Double(end - begin); kl += Double(l.kl) * Double(end - begin); seen += end - begin
                begin = end
            }
            let log = EpochLog(epoch: epoch + 1, beta: beta, reconstruction: rec / Double(max(seen, 1)), kl: kl / Double(max(seen, 1)))
            logs.append(log)
            progress?(log)
        }
        return logs
    }

    /// Fresh latent samples z ~ q(z|x) for the rows of `data` (no gradient): `count × latent`.
    public func sampleLatents(_ data: [Float], count: Int, generator: inout RandomGenerator) -> [Float] {
        guard count > 0 else { return [] }
        return withNoGrad {
            let (m, lv) = encode(Tensor(shape: [count, dimension], scalars: data))
            return Self.reparameterize(mean: m, logVariance: lv, generator: &generator).scalars
        }
    }

    /// Mean per-sample summed squared error of reconstructing `data` through the posterior mean.
    public func reconstructionError(_ data: [Float], count: Int) -> Double {
        guard count > 0 else { return .nan }
        let x = Tensor(shape: [count, dimension], scalars: data)
        return Double(withNoGrad { meanSquaredError(decoder(encode(x).mean), x) }.scalars[0]) * Double(dimension)
    }

    /// Mean KL per latent dimension over `data` (how much each dimension carries; ~0 = unused).
    public func klPerDimension(_ data: [Float], count: Int) -> [Double] {
        guard count > 0 else { return [] }
        let (m, lv) = withNoGrad { encode(Tensor(shape: [count, dimension], scalars: data)) }
        let ms = m.scalars, ls = lv.scalars
        var out = [Double](repeating: 0, count: latent)
        for i in 0..<count {
            for j in 0..<latent {
                let mu = Double(ms[i * latent + j]), l = Double(ls[i * latent + j])
                out[j] += -0.5 * (1 + l - mu * mu - Foundation.exp(l))
            }
        }
        return out.map { $0 / Double(count) }
    }
}
