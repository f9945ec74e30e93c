import Foundation
import Tensor

/// Times missions 3-1/3-2's scoring at scale on made-up data: `photos` random ReLU-like
/// feature vectors and `answers` answers of respondents who each answer ~`answersPerRespondent`
/// photos (a fifth of them validation), with likes tied to the features so the figures are
/// not chance. Everything `fashion recommend` computes after reading its inputs is timed:
/// item (both stand-ins), user-based and hybrid scores, leave-one-out training scores,
/// k and weight choices, ROC curves, AUC and thresholds.
public struct RecommenderBenchmark {
    public var photos = 5021
    public var dimension = 512
    public var answers = 250_000
    public var answersPerRespondent = 8
    public var seed: UInt64 = 42

    public init() {}

    public struct Report: Codable, Sendable {
        public var photos: Int, dimension: Int, respondents: Int
        public var training_answers: Int, validation_answers: Int
        /// Seconds for the whole evaluation (all methods, leave-one-out, choices, metrics).
        public var seconds: Double
        /// Seconds for the seed's item-based scores of the validation answers alone.
        public var item_validation_seconds: Double
        public var item_auc: Double?
        public var threads: Int
    }

    public func run() throws -> Report {
        var g = RandomGenerator(seed: seed)
        let stems = (0..<photos).map { String(format: "W_%05d_50_ivy_M", $0) }
        var values = [Float](repeating: 0, count: photos * dimension)
        for i in values.indices { values[i] = max(0, g.normal()) }
        let store = try FeatureStore(stems: stems, values: values, dimension: dimension)
        let respondents = max(1, answers / answersPerRespondent)
        var training: [RatedPairs.Answer] = [], validation: [RatedPairs.Answer] = []
        training.reserveCapacity(answers); validation.reserveCapacity(answers / 4)
        for r in 0..<respondents {
            // A taste direction over the first features: likes follow it.
            let taste = (0..<8).map { _ in g.normal() }
            for k in 0..<answersPerRespondent {
                let p = g.int(below: photos)
                var u: Float = 0
                for j in 0..<8 { u += taste[j] * (store.normalized[p * dimension + j] * 10 - 0.4) }
                let a = RatedPairs.Answer(respondent: r, stem: stems[p], imageFileName: stems[p] + ".jpg",
                                          labelFile: "\(stems[p])_\(r).json", liked: u + 0.5 * g.normal() > 0)
                if k < max(1, Int((Double(answersPerRespondent) * 0.2).rounded())) { validation.append(a) } else { training.append(a) }
            }
        }
        let pairs = RatedPairs(training: training, validation: validation)
        let t0 = Date()
        _ = ItemBasedScorer(store: store, pairs: pairs).scoreValidation()
        let itemSeconds = Date().timeIntervalSince(t0)
        let t1 = Date()
        let evaluation = try PreferenceEvaluation(store: store, pairs: pairs)
        let seconds = Date().timeIntervalSince(t1)
        return Report(photos: photos, dimension: dimension, respondents: respondents, training_answers: training.count,
                      validation_answers: validation.count, seconds: seconds, item_validation_seconds: itemSeconds,
                      item_auc: evaluation.results.first?.metrics.auc, threads: Threading.coreCount)
    }
}
