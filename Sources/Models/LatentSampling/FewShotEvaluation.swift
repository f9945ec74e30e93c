import Foundation
import Tensor

/// One cell of the paper's table: a method's overall accuracy and `acc_h` on the test set.
public struct FewShotResult: Codable, Equatable, Sendable {
    /// `backbone`, `oversampling x30`, `vae-sampling x50`, …
    public var method: String
    /// Overall test accuracy (a fraction).
    public var accuracy: Double
    /// Accuracy over the majority classes' test images.
    public var majorityAccuracy: Double
    /// Accuracy over the minority classes' test images.
    public var minorityAccuracy: Double
    /// Harmonic mean of majority- and minority-class accuracy (0 when either is 0).
    public var harmonicAccuracy: Double
}

/// The paper's comparison on frozen features, for one draw of minority classes and one n_f:
/// the backbone's own classifier, oversampling ×k (the same x repeated, a linear layer on x)
/// and VAE sampling ×k (a linear layer on concat[x, z], a fresh z ~ q(z|x) for every draw)
/// for each k, all evaluated on the whole test set with `acc` and `acc_h`.
///
/// The VAE is trained on the (imbalanced) training features with the paper's β schedule.
public struct FewShotEvaluation {
    /// The paper's settings (ratios ×30/×50, VAE latent 128 and 100 epochs, 10 classifier epochs).
    public struct Options: Codable, Equatable, Sendable {
        /// The sampling ratios k: each minority example used k times (×30, ×50).
        public var ratios = [30, 50]
        /// VAE training epochs.
        public var vaeEpochs = 100
        /// Width of the VAE's hidden layer.
        public var vaeHidden = 256
        /// Dimension of the VAE's latent z.
        public var latent = 128
        /// The VAE's Adam learning rate.
        public var vaeLearningRate: Float = 1e-3
        /// β's rise over the VAE's epochs.
        public var beta = FeatureVAE.BetaSchedule()
        /// s in z = μ + s·σ·ε for the classifier's training draws (1: the paper).
        public var latentScale: Float = 1
        /// Epochs of each linear classifier.
        public var classifierEpochs = 10
        /// The classifiers' learning rate.
        public var classifierLearningRate: Float = 0.01
        /// Batch size of the VAE and the classifiers.
        public var batchSize = 64
        /// Seeds the VAE, the classifiers and the latent draws.
        public var seed: UInt64 = 42
        /// The paper's settings.
        public init() {}
    }

    /// The settings used.
    public var options: Options
    /// An evaluation with these settings.
    public init(options: Options = Options()) { self.options = options }

    /// What a run gave: the table's rows for this cell, and the VAE's health figures.
    public struct Report: Codable, Sendable {
        /// One result per method, in the table's order.
        public var results: [FewShotResult]
        /// Per-sample summed squared error of the VAE on the test features, and that of the
        /// training mean vector (the VAE must beat it).
        public var vaeTestError: Double
        /// The training mean vector's per-sample summed squared error on the test features.
        public var meanVectorTestError: Double
        /// Mean KL per latent dimension on the test features.
        public var klPerDimension: [Double]
    }

    /// - Parameters:
    ///   - train/test: row-major features (`count × dimension`) with labels below `classes.count`.
    ///   - backbonePredictions: the backbone's own classifier on the test rows.
    ///   - minority: the few-shot classes.
    public func run(train: [Float], trainLabels: [Int], test: [Float], testLabels: [Int], dimension: Int,
                    classes: [String], minority: Set<Int>, backbonePredictions: [Int],
                    log: ((String) -> Void)? = nil) throws -> Report {
        let nTrain = trainLabels.count, nTest = testLabels.count
        precondition(train.count == nTrain * dimension && test.count == nTest * dimension && backbonePredictions.count == nTest,
                     "FewShotEvaluation.run: sizes")
        func result(_ method: String, _ predictions: [Int]) -> FewShotResult {
            let e = Evaluation(classes: classes, truth: testLabels, predictions: predictions)
            let h = e.harmonicAccuracy(minority: minority)
            log?(String(format: "%@: acc %.2f %%, acc_h %.2f %% (majority %.2f %%, minority %.2f %%)",
                        method, 100 * e.accuracy, 100 * h.harmonic, 100 * h.majority, 100 * h.minority))
            return FewShotResult(method: method, accuracy: e.accuracy, majorityAccuracy: h.majority,
                                 minorityAccuracy: h.minority, harmonicAccuracy: h.harmonic)
        }
        var results = [result("backbone", backbonePredictions)]
        for k in options.ratios {
            let c = LatentSamplingClassifier(mode: .oversampling(k), dimension: dimension, classCount: classes.count, seed: options.seed)
            try c.train(features: train, labels: trainLabels, count: nTrain, minority: minority, epochs: options.classifierEpochs,
                        batchSize: options.batchSize, learningRate: options.classifierLearningRate, seed: options.seed)
            results.append(result("oversampling x\(k)", c.predict(features: test, count: nTest)))
        }
        let vae = FeatureVAE(dimension: dimension, hidden: options.vaeHidden, latent: options.latent, seed: options.seed)
        try vae.train(train, count: nTrain, epochs: options.vaeEpochs, batchSize: options.batchSize,
                      learningRate: options.vaeLearningRate, schedule: options.beta, seed: options.seed)
        for k in options.ratios {
            let c = LatentSamplingClassifier(mode: .vaeSampling(k), dimension: dimension, classCount: classes.count, vae: vae,
                                             latentScale: options.latentScale, seed: options.seed)
            try c.train(features: train, labels: trainLabels, count: nTrain, minority: minority, epochs: options.classifierEpochs,
                        batchSize: options.batchSize, learningRate: options.classifierLearningRate, seed: options.seed)
            results.append(result("vae-sampling x\(k)", c.predict(features: test, count: nTest)))
        }
        // The VAE's health: held-out reconstruction against the training mean vector.
        var mean = [Double](repeating: 0, count: dimension)
        for i in 0..<nTrain { for j in 0..<dimension { mean[j] += Double(train[i * dimension + j]) } }
        for j in 0..<dimension { mean[j] /= Double(max(nTrain, 1)) }
        var meanError = 0.0
        for i in 0..<nTest { for j in 0..<dimension { let e = Double(test[i * dimension + j]) - mean[j]; meanError += e * e } }
        return Report(results: results, vaeTestError: vae.reconstructionError(test, count: nTest),
                      meanVectorTestError: meanError / Double(max(nTest, 1)), klPerDimension: vae.klPerDimension(test, count: nTest))
    }
}
