import Foundation

/// Missions 3-1 and 3-2 on one feature store: item-based, user-based and hybrid scores for
/// every validation answer, leave-one-out scores for every training answer (for thresholds and
/// hyper-parameters chosen without validation answers), and the figures of each method.
public struct PreferenceEvaluation: Sendable {
    /// A way of scoring a (respondent, photo) pair.
    public enum Method: String, Sendable, CaseIterable, Codable {
        /// Mission 3-2 exactly: similar photos (cosine of features), the median vector for an empty side.
        case item
        /// Mission 3-2 with a neutral stand-in for an empty side (the centroid of all photos' unit
        /// vectors, see ``ItemBasedScorer/StandIn/centroid``); the item score user-based and hybrid build on.
        case itemCentroid = "item-centroid"
        /// Mission 3-1: similar respondents; the item-centroid score where no neighbour answered the photo.
        case user
        /// Item-centroid score + weight × user score (0 where no neighbour), weight chosen on training
        /// answers among candidates that include either part alone (weight 0: item-centroid; `user_only`:
        /// the user method), so on the training answers it is never worse than its better part.
        case hybrid
        /// A logistic matrix factorisation over the photos' PCA features, fitted on the training
        /// answers with hyper-parameters from cross-validation (``LearnedPreferences``); its score
        /// is the log-odds of a like, so 0 is a probability of ½.
        case learned
    }

    /// Which methods to run and how their hyper-parameters are set.
    public struct Options: Sendable {
        public var methods: [Method] = Method.allCases
        /// Neighbours for user-based CF; nil chooses from ``kCandidates`` by leave-one-out training AUC.
        public var k: Int? = nil
        public var kCandidates = [1, 2, 3, 5, 10, 20, 50, 100, 1000]
        /// Weight of the user score in the hybrid; nil chooses from ``weightCandidates`` by training AUC.
        public var weight: Double? = nil
        public var weightCandidates = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5]
        /// The learned method's search.
        public var learned = LearnedPreferences.Options()
        public init() {}
    }

    /// One method's scores and figures.
    public struct MethodResult: Sendable {
        public var method: String
        /// Per validation answer, in ``RatedPairs/validation``'s order.
        public var validationScores: [Double]
        /// Leave-one-out, per training answer used for choices (see ``trainingAnswersUsed``).
        public var trainingScores: [Double]
        public var metrics: MethodMetrics
        public var roc: ROCCurve
        /// The probability of a like per validation answer, for methods that give one (`learned`).
        public var validationProbabilities: [Double]? = nil
    }

    public let pairs: RatedPairs
    /// The item-based details of every validation answer.
    public let item: [ItemScore]
    public let results: [MethodResult]
    /// Answered stems the features lack.
    public let missingStems: [String]
    /// Training answers whose leave-one-out scores chose the thresholds and hyper-parameters
    /// (those whose own side keeps another answer).
    public let trainingAnswersUsed: Int

    /// Whether each validation answer is a like, in ``RatedPairs/validation``'s order.
    public var validationLabels: [Bool] { pairs.validation.map(\.liked) }

    /// Scores everything. `label` prefixes the method names (e.g. "autoencoder-64 "). Throws only
    /// when the learned method's PCA fails (LAPACK's error).
    public init(store: FeatureStore, pairs: RatedPairs, options: Options = Options(), label: String = "") throws {
        self.pairs = pairs
        let itemScorer = ItemBasedScorer(store: store, pairs: pairs)
        missingStems = itemScorer.missingStems
        let itemValidation = itemScorer.scoreValidation(), itemTraining = itemScorer.scoreTrainingLeaveOneOut()
        item = itemValidation
        // Training answers whose own side keeps another answer once they are left out: leaving out
        // a side's only answer would put the median stand-in exactly where the label is (a like
        // scored against a median "like side" comes out high), a tie to the label that validation
        // answers do not have. Thresholds and hyper-parameters are chosen on these answers only.
        let usable = pairs.training.indices.filter { t in
            pairs.training[t].liked ? itemTraining[t].likedCount > 0 : itemTraining[t].dislikedCount > 0
        }
        trainingAnswersUsed = usable.count
        let yValid = pairs.validation.map(\.liked), yTrain = usable.map { pairs.training[$0].liked }
        let iv = itemValidation.map(\.score), it = usable.map { itemTraining[$0].score }
        let itemStandIns = ["like_side_median": itemValidation.count(where: \.likeStandIn),
                            "dislike_side_median": itemValidation.count(where: \.dislikeStandIn),
                            "photo_missing": itemValidation.count(where: \.photoMissing)]
        let photosWithFeatures = itemValidation.count(where: { !$0.photoMissing })
        // `t` scores the training answers `trainingLabels` name (the usable ones unless given).
        func result(_ name: String, _ v: [Double], _ t: [Double], standIns: [String: Int], parameters: [String: Double] = [:],
                    ownScored: Int, trainingLabels: [Bool]? = nil, probabilities: [Double]? = nil) -> MethodResult {
            let roc = ROCCurve(labels: yValid, scores: v)
            return MethodResult(method: label + name, validationScores: v, trainingScores: t,
                                metrics: MethodMetrics(method: label + name, labels: yValid, scores: v, trainingLabels: trainingLabels ?? yTrain,
                                                       trainingScores: t, standIns: standIns, parameters: parameters,
                                                       ownScored: ownScored, roc: roc),
                                roc: roc, validationProbabilities: probabilities)
        }
        var results: [MethodResult] = []
        if options.methods.contains(.item) { results.append(result("item", iv, it, standIns: itemStandIns, ownScored: photosWithFeatures)) }
        let needsUser = options.methods.contains(.user) || options.methods.contains(.hybrid)
        if needsUser || options.methods.contains(.itemCentroid) {
            // The neutral stand-in: the base user-based and hybrid scores build on.
            let centroidScorer = ItemBasedScorer(store: store, pairs: pairs, standIn: .centroid)
            let cValidation = centroidScorer.scoreValidation(), cTraining = centroidScorer.scoreTrainingLeaveOneOut()
            let cv = cValidation.map(\.score), ct = usable.map { cTraining[$0].score }
            let centroidStandIns = ["like_side_centroid": cValidation.count(where: \.likeStandIn),
                                    "dislike_side_centroid": cValidation.count(where: \.dislikeStandIn),
                                    "photo_missing": cValidation.count(where: \.photoMissing)]
            if options.methods.contains(.itemCentroid) { results.append(result("item-centroid", cv, ct, standIns: centroidStandIns, ownScored: photosWithFeatures)) }
            if needsUser {
                let userScorer = UserBasedScorer(pairs: pairs)
                let uv = userScorer.scoreValidation(), allUT = userScorer.scoreTrainingLeaveOneOut()
                let ut = usable.map { allUT[$0] }
                func auc(_ s: [Double]) -> Double { let a = ROCCurve(labels: yTrain, scores: s).area; return a.isNaN ? -1 : a }
                // k: the best leave-one-out training AUC of user-or-item scores (first best on ties).
                let k = options.k ?? PreferenceEvaluation.best(options.kCandidates) { k in auc(zip(ut, ct).map { $0.score(k: k) ?? $1 }) } ?? 5
                if options.methods.contains(.user) {
                    let v = zip(uv, cv).map { $0.score(k: k) ?? $1 }, t = zip(ut, ct).map { $0.score(k: k) ?? $1 }
                    let fallbacks = uv.count(where: { $0.score(k: k) == nil })
                    results.append(result("user", v, t, standIns: centroidStandIns.merging(["user_fallback": fallbacks]) { $1 },
                                          parameters: ["k": Double(k)], ownScored: uv.count - fallbacks))
                }
                if options.methods.contains(.hybrid) {
                    let uvk = uv.map { $0.score(k: k) ?? 0 }, utk = ut.map { $0.score(k: k) ?? 0 }
                    func hybrid(_ u: [Double], _ i: [Double], _ w: Double) -> [Double] { zip(u, i).map { $1 + w * $0 } }
                    // The user method alone (its item-centroid fallback where no neighbour answered) is a
                    // candidate too: `nil` below. The weights include 0, the item-centroid score alone.
                    let userAloneV = zip(uv, cv).map { $0.score(k: k) ?? $1 }, userAloneT = zip(ut, ct).map { $0.score(k: k) ?? $1 }
                    let candidates: [Double?] = options.weight.map { [$0] } ?? (options.weightCandidates.map { $0 } + [nil])
                    let choice = PreferenceEvaluation.best(candidates) { w in auc(w.map { hybrid(utk, ct, $0) } ?? userAloneT) } ?? 0
                    let fallbacks = uv.count(where: { $0.score(k: k) == nil })
                    results.append(result("hybrid", choice.map { hybrid(uvk, cv, $0) } ?? userAloneV, choice.map { hybrid(utk, ct, $0) } ?? userAloneT,
                                          standIns: centroidStandIns.merging(["user_fallback": fallbacks]) { $1 },
                                          parameters: choice.map { ["k": Double(k), "weight": $0] } ?? ["k": Double(k), "user_only": 1],
                                          ownScored: choice == 0 ? photosWithFeatures : uv.count - fallbacks))
                }
            }
        }
        if options.methods.contains(.learned) {
            let learned = try LearnedPreferences(store: store, pairs: pairs, options: options.learned)
            let w = learned.winner
            var r = result("learned", learned.validationLogits, learned.trainingLogits,
                           standIns: ["population_model": learned.populationScored, "photo_missing": learned.photoMissing],
                           parameters: ["dimension": Double(w.dimension), "centroids": w.centroids ? 1 : 0, "rank": Double(w.rank),
                                        "personal_decay": w.personalDecay, "bias_decay": w.biasDecay,
                                        "folds": Double(options.learned.folds), "cv_log_loss": w.logLoss],
                           ownScored: pairs.validation.count - learned.populationScored - learned.photoMissing,
                           trainingLabels: pairs.training.map(\.liked),   // out-of-fold logits of every training answer
                           probabilities: learned.validationLogits.map { 1 / (1 + exp(-$0)) })
            r.metrics.crossValidation = learned.grid
            results.append(r)
        }
        // Every method's accuracy by the respondent's number of training answers.
        let counts = pairs.validation.map { pairs.trainingByRespondent[$0.respondent]?.count ?? 0 }
        for i in results.indices {
            results[i].metrics.byTrainingAnswers = TrainingAnswerBucket.table(labels: yValid, scores: results[i].validationScores,
                                                                              threshold: results[i].metrics.trainThreshold ?? .infinity,
                                                                              trainingAnswers: counts)
        }
        self.results = results
    }

    /// The first candidate with the highest objective.
    static func best<T>(_ candidates: [T], _ objective: (T) -> Double) -> T? {
        var best: (T, Double)? = nil
        for c in candidates {
            let v = objective(c)
            if best.map({ v > $0.1 }) ?? true { best = (c, v) }
        }
        return best?.0
    }
}
