import Foundation
import Tensor

/// Times missions 3-1/3-2's scoring at scale on made-up data: `photos` random ReLU-like
/// feature vectors and `answers` answers of respondents who each answer ~`answersPerRespondent`
/// photos (a fifth of them validation), with likes tied to the features so the figures are
/// not chance. Everything `fashion recommend` computes after reading its inputs is timed:
/// item (both stand-ins), user-based and hybrid scores, leave-one-out training scores,
/// k and weight choices, ROC curves, AUC and thresholds. The learned method is timed apart on a
/// set of ``learnedAnswers`` answers: cross-validation with the final fit, and the fitted model
/// scoring ``learnedScored`` pairs.
public struct RecommenderBenchmark {
    public var photos = 5021
    public var dimension = 512
    public var answers = 250_000
    public var answersPerRespondent = 8
    public var seed: UInt64 = 42
    /// Answers of the learned method's own set (a fifth validation): ~31,000 training answers.
    public var learnedAnswers = 39_000
    /// Pairs the fitted learned model scores.
    public var learnedScored = 62_500
    /// The learned method's search (the default grid of `fashion recommend`).
    public var learnedOptions = LearnedPreferences.Options()

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
        /// The learned method: training answers of its set, candidates and folds cross-validated,
        /// seconds for cross-validation and the final fit, pairs scored by the fitted model and
        /// seconds for that, and its validation AUC.
        public var learned_training_answers: Int, learned_candidates: Int, learned_folds: Int
        public var learned_fit_seconds: Double
        public var learned_scored: Int, learned_scoring_seconds: Double
        public var learned_auc: Double
    }

    public func run() throws -> Report {
        var g = RandomGenerator(seed: seed)
        let stems = (0..<photos).map { String(format: "W_%05d_50_%@_M", $0, Self.styles[$0 % Self.styles.count]) }
        var values = [Float](repeating: 0, count: photos * dimension)
        for i in values.indices { values[i] = max(0, g.normal()) }
        let store = try FeatureStore(stems: stems, values: values, dimension: dimension)
        let pairs = Self.answers(answers, perRespondent: answersPerRespondent, store: store, generator: &g)
        let t0 = Date()
        _ = ItemBasedScorer(store: store, pairs: pairs).scoreValidation()
        let itemSeconds = Date().timeIntervalSince(t0)
        let t1 = Date()
        var classical = PreferenceEvaluation.Options()
        classical.methods = [.item, .itemCentroid, .user, .hybrid]
        let evaluation = try PreferenceEvaluation(store: store, pairs: pairs, options: classical)
        let seconds = Date().timeIntervalSince(t1)
        // The learned method on a set of its own size: cross-validation and the final fit, then
        // the fitted model scoring `learnedScored` (respondent, photo) pairs of its respondents.
        let learnedPairs = Self.answers(learnedAnswers, perRespondent: answersPerRespondent, store: store, generator: &g)
        let t2 = Date()
        let learned = try LearnedPreferences(store: store, pairs: learnedPairs, options: learnedOptions)
        let learnedSeconds = Date().timeIntervalSince(t2)
        let table = PhotoFeatureTable(stems: store.stems, basis: try PhotoFeatureTable.Basis(store: store, largest: learned.winner.dimension),
                                      variant: learned.winner.variant)
        let respondentRows = Int32(learned.model.shape.respondents)
        let queries = LogisticFactorization.Answers(respondent: (0..<learnedScored).map { _ in Int32(g.int(below: Int(max(respondentRows, 1)))) },
                                                    photo: (0..<learnedScored).map { _ in Int32(g.int(below: table.features.count)) },
                                                    liked: [Double](repeating: 0, count: learnedScored))
        let t3 = Date()
        let logits = learned.model.logits(queries, features: table.features)
        let scoringSeconds = Date().timeIntervalSince(t3)
        precondition(logits.count == learnedScored)
        return Report(photos: photos, dimension: dimension, respondents: max(1, answers / answersPerRespondent), training_answers: pairs.training.count,
                      validation_answers: pairs.validation.count, seconds: seconds, item_validation_seconds: itemSeconds,
                      item_auc: evaluation.results.first?.metrics.auc, threads: Threading.coreCount,
                      learned_training_answers: learnedPairs.training.count, learned_candidates: learned.grid.count,
                      learned_folds: learnedOptions.folds, learned_fit_seconds: learnedSeconds,
                      learned_scored: learnedScored, learned_scoring_seconds: scoringSeconds,
                      learned_auc: ROCCurve(labels: learnedPairs.validation.map(\.liked), scores: learned.validationLogits).area)
    }

    static let styles = ["ivy", "kitsch", "hiphop", "modern", "retro", "street", "feminine", "mods"]

    /// Respondents who each answer ~`perRespondent` photos (a fifth of them validation), likes
    /// following a taste direction over the first features.
    static func answers(_ answers: Int, perRespondent answersPerRespondent: Int, store: FeatureStore,
                        generator g: inout RandomGenerator) -> RatedPairs {
        let photos = store.count, dimension = store.dimension, stems = store.stems
        let respondents = max(1, answers / answersPerRespondent)
        var training: [RatedPairs.Answer] = [], validation: [RatedPairs.Answer] = []
        training.reserveCapacity(answers); validation.reserveCapacity(answers / 4)
        for r in 0..<respondents {
            // A taste direction over the first features: likes follow it.
            let taste = (0..<8).map { _ in g.normal() }
            for k in 0..<answersPerRespondent {
                let p = g.int(below: photos)
                var u: Float = 0
                for j in 0..<min(8, dimension) { u += taste[j] * (store.normalized[p * dimension + j] * 10 - 0.4) }
                let a = RatedPairs.Answer(respondent: r, stem: stems[p], imageFileName: stems[p] + ".jpg",
                                          labelFile: "\(stems[p])_\(r).json", liked: u + 0.5 * g.normal() > 0)
                if k < max(1, Int((Double(answersPerRespondent) * 0.2).rounded())) { validation.append(a) } else { training.append(a) }
            }
        }
        return RatedPairs(training: training, validation: validation)
    }
}
