import Foundation
import Tensor

/// The camp's autoencoder over feature vectors (mission 3-2, step 4):
/// `Linear(D,128) → ReLU → Linear(128,64) → ReLU` encodes, `Linear(64,128) → ReLU →
/// Linear(128,D) → Sigmoid` decodes, so inputs are expected in [0, 1] (``MinMaxScaler``).
/// PyTorch's default `Linear` initialisation; state-dict names `encoder.0.weight`, … as the
/// camp's `nn.Sequential`s would have them.
public final class FeatureAutoencoder: Layer {
    public var isTraining = true
    public let encoder: Sequential
    public let decoder: Sequential

    /// - Parameters: `dimension` of the input, `hidden` and `code` widths (the camp's 128 and 64).
    public init(dimension: Int, hidden: Int = 128, code: Int = 64, seed: UInt64 = 42) {
        var g = RandomGenerator(seed: seed)
        encoder = Sequential([Linear(dimension, hidden, generator: &g), ReLU(), Linear(hidden, code, generator: &g), ReLU()])
        decoder = Sequential([Linear(code, hidden, generator: &g), ReLU(), Linear(hidden, dimension, generator: &g), Sigmoid()])
    }

    /// The reconstruction.
    public func callAsFunction(_ x: Tensor) -> Tensor { decoder(encoder(x)) }

    /// What one training run did.
    public struct TrainingLog: Codable, Sendable {
        /// Mean MSE over each epoch's batches.
        public var epochLosses: [Double]
        public var seconds: Double
    }

    /// Trains on the rows of `data` (`count × dimension`, values in [0, 1]): MSE, Adam, shuffled
    /// mini-batches drawn with `seed`. Throws when the loss stops being finite.
    @discardableResult
    public func train(_ data: [Float], count: Int, epochs: Int = 200, batchSize: Int = 64, learningRate: Float = 1e-3,
                      seed: UInt64 = 42, progress: ((Int, Double) -> Void)? = nil) throws -> TrainingLog {
        let d = data.count / max(count, 1)
        precondition(d * count == data.count, "FeatureAutoencoder.train: \(data.count) values for \(count) rows")
        let optimizer = Adam(parameters, learningRate: learningRate)
        var g = RandomGenerator(seed: seed)
        var losses: [Double] = []
        let start = Date()
        train(true)
        defer { train(false) }
        for epoch in 0..<epochs {
            let order = g.permutation(count)
            var total = 0.0, batches = 0
            var begin = 0
            while begin < count {
                let end = min(count, begin + batchSize)
                let x = FeatureRows.batch(data, rows: order[begin..<end], dimension: d)
                optimizer.zeroGrad()
                let loss = meanSquaredError(self(x), x)
                let value = Double(loss.scalars[0])
                guard value.isFinite else {
                    throw TrainingError.nonFiniteLoss(epoch: epoch + 1, batch: batches + 1, value: Float(value))
                }
                loss.backward()
                optimizer.step()
                total += value; batches += 1
                begin = end
            }
            losses.append(total / Double(max(batches, 1)))
            progress?(epoch + 1, losses.last ?? .nan)
        }
        return TrainingLog(epochLosses: losses, seconds: Date().timeIntervalSince(start))
    }

    /// The codes of the rows of `data` (`count × code`), no gradient.
    public func encode(_ data: [Float], count: Int) -> [Float] {
        guard count > 0 else { return [] }
        let d = data.count / count
        return withNoGrad { encoder(Tensor(shape: [count, d], scalars: data)).scalars }
    }

    /// The mean squared reconstruction error of the rows of `data`.
    public func reconstructionError(_ data: [Float], count: Int) -> Double {
        guard count > 0 else { return .nan }
        let d = data.count / count
        let x = Tensor(shape: [count, d], scalars: data)
        return Double(withNoGrad { meanSquaredError(self(x), x) }.scalars[0])
    }
}

/// Per-feature min–max scaling to [0, 1], `sklearn.preprocessing.MinMaxScaler` (a constant
/// feature maps to 0); fitted on some rows, applied to any.
public struct MinMaxScaler: Codable, Equatable, Sendable {
    public var minimum: [Float]
    public var maximum: [Float]

    /// Fits on the rows of `data` (`count × dimension`).
    public init(fitting data: [Float], count: Int, dimension d: Int) {
        var lo = [Float](repeating: .infinity, count: d), hi = [Float](repeating: -.infinity, count: d)
        for i in 0..<count { for j in 0..<d { let v = data[i * d + j]; lo[j] = min(lo[j], v); hi[j] = max(hi[j], v) } }
        if count == 0 { lo = [Float](repeating: 0, count: d); hi = lo }
        minimum = lo; maximum = hi
    }

    /// `(x − min) / (max − min)` per feature; 0 where max = min.
    public func transform(_ data: [Float]) -> [Float] {
        let d = minimum.count
        var out = data
        for i in 0..<(data.count / max(d, 1)) {
            for j in 0..<d {
                let range = maximum[j] - minimum[j]
                out[i * d + j] = range > 0 ? (data[i * d + j] - minimum[j]) / range : 0
            }
        }
        return out
    }
}
