import Foundation
import Models

/// Mission 3-2, step 4: a feature store compressed by the camp's autoencoder
/// (D→128→64→128→D, ReLU, sigmoid output): features min–max scaled to [0, 1] on the training
/// photos' stems, MSE, Adam, `epochs` passes, then every stem's 64-d code.
public struct AutoencodedFeatures {
    public var epochs = 200
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 42
    public var hidden = 128, code = 64

    public init() {}

    /// What a run gave.
    public struct Result {
        public var store: FeatureStore
        public var log: FeatureAutoencoder.TrainingLog
        /// Mean squared reconstruction error on the scaled training rows.
        public var reconstructionError: Double
        /// The error of predicting every scaled training row by their mean (the bar to beat).
        public var meanVectorError: Double
        public var trainingRows: Int
    }

    /// Trains on the rows of `store` whose stems are in `trainingStems` (all rows when none are)
    /// and encodes every row.
    public func run(_ store: FeatureStore, trainingStems: Set<String>, progress: ((Int, Double) -> Void)? = nil) throws -> Result {
        let d = store.dimension
        var rows = store.stems.indices.filter { trainingStems.contains(store.stems[$0]) }
        if rows.isEmpty { rows = Array(store.stems.indices) }
        var training = [Float](); training.reserveCapacity(rows.count * d)
        for i in rows { training += store.vector(i) }
        let scaler = MinMaxScaler(fitting: training, count: rows.count, dimension: d)
        let scaledTraining = scaler.transform(training)
        let model = FeatureAutoencoder(dimension: d, hidden: hidden, code: code, seed: seed)
        let log = try model.train(scaledTraining, count: rows.count, epochs: epochs, batchSize: batchSize,
                                  learningRate: learningRate, seed: seed, progress: progress)
        let codes = model.encode(scaler.transform(store.raw), count: store.count)
        // The mean vector's error: the variance around the column means.
        var meanError = 0.0
        for j in 0..<d {
            var m = 0.0
            for k in rows.indices { m += Double(scaledTraining[k * d + j]) }
            m /= Double(rows.count)
            for k in rows.indices { let e = Double(scaledTraining[k * d + j]) - m; meanError += e * e }
        }
        meanError /= Double(rows.count * d)
        return Result(store: try store.replacingVectors(codes, dimension: code, source: "autoencoder codes"),
                      log: log, reconstructionError: model.reconstructionError(scaledTraining, count: rows.count),
                      meanVectorError: meanError, trainingRows: rows.count)
    }
}
