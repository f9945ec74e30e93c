/// Missions 3-1 and 3-2 on one feature store: item-based, user-based and hybrid scores for
/// every validation answer, leave-one-out scores for every training answer (for thresholds and
/// hyper-parameters chosen without validation answers), and the figures of each method.
public struct PreferenceEvaluation: Sendable {
    public enum Method: String, Sendable, CaseIterable, Codable {
        /// Mission 3-2: similar photos (cosine of features).
        case item
        /// Mission 3-1: similar respondents; the item score where no neighbour answered the photo.
        case user
        /// Item score + weight × user score (0 where no neighbour), weight chosen on training answers.
        case hybrid
    }

    public struct Options: Sendable {
        public var methods: [Method] = Method.allCases
        /// Neighbours for user-based CF; nil chooses from ``kCandidates`` by leave-one-out training AUC.
        public var k: Int? = nil
        public var kCandidates = [1, 2, 3, 5, 10, 20, 50, 100, 1000]
        /// Weight of the user score in the hybrid; nil chooses from ``weightCandidates`` by training AUC.
        public var weight: Double? = nil
        public var weightCandidates = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5]
        public init() {}
    }

    /// One method's scores and figures.
    public struct MethodResult: Sendable {
        public var method: String
        /// Per validation answer, in ``RatedPairs/validation``'s order.
        public var validationScores: [Double]
        /// Leave-one-out, per training answer.
        public var trainingScores: [Double]
        public var metrics: MethodMetrics
        public var roc: ROCCurve
    }

    public let pairs: RatedPairs
    /// The item-based details of every validation answer.
    public let item: [ItemScore]
    public let results: [MethodResult]
    /// Answered stems the features lack.
    public let missingStems: [String]

    public var validationLabels: [Bool] { pairs.validation.map(\.liked) }

    /// Scores everything. `label` prefixes the method names (e.g. "autoencoder-64 ").
    public init(store: FeatureStore, pairs: RatedPairs, options: Options = Options(), label: String = "") {
        self.pairs = pairs
        let itemScorer = ItemBasedScorer(store: store, pairs: pairs)
        missingStems = itemScorer.missingStems
        let itemValidation = itemScorer.scoreValidation(), itemTraining = itemScorer.scoreTrainingLeaveOneOut()
        item = itemValidation
        let yValid = pairs.validation.map(\.liked), yTrain = pairs.training.map(\.liked)
        let iv = itemValidation.map(\.score), it = itemTraining.map(\.score)
        let itemStandIns = ["like_side_median": itemValidation.count(where: \.likeStandIn),
                            "dislike_side_median": itemValidation.count(where: \.dislikeStandIn),
                            "photo_missing": itemValidation.count(where: \.photoMissing)]
        func result(_ name: String, _ v: [Double], _ t: [Double], standIns: [String: Int], parameters: [String: Double] = [:]) -> MethodResult {
            MethodResult(method: label + name, validationScores: v, trainingScores: t,
                         metrics: MethodMetrics(method: label + name, labels: yValid, scores: v, trainingLabels: yTrain, trainingScores: t,
                                                standIns: standIns, parameters: parameters),
                         roc: ROCCurve(labels: yValid, scores: v))
        }
        var results: [MethodResult] = []
        if options.methods.contains(.item) { results.append(result("item", iv, it, standIns: itemStandIns)) }
        if options.methods.contains(.user) || options.methods.contains(.hybrid) {
            let userScorer = UserBasedScorer(pairs: pairs)
            let uv = userScorer.scoreValidation(), ut = userScorer.scoreTrainingLeaveOneOut()
            func auc(_ s: [Double]) -> Double { let a = ROCCurve(labels: yTrain, scores: s).area; return a.isNaN ? -1 : a }
            // k: the best leave-one-out training AUC of user-or-item scores (first best on ties).
            let k = options.k ?? PreferenceEvaluation.best(options.kCandidates) { k in auc(zip(ut, it).map { $0.score(k: k) ?? $1 }) } ?? 5
            if options.methods.contains(.user) {
                let v = zip(uv, iv).map { $0.score(k: k) ?? $1 }, t = zip(ut, it).map { $0.score(k: k) ?? $1 }
                let fallbacks = uv.count(where: { $0.score(k: k) == nil })
                results.append(result("user", v, t, standIns: itemStandIns.merging(["user_fallback": fallbacks]) { $1 },
                                      parameters: ["k": Double(k)]))
            }
            if options.methods.contains(.hybrid) {
                func hybrid(_ u: [UserScore], _ i: [Double], _ w: Double) -> [Double] { zip(u, i).map { $1 + w * ($0.score(k: k) ?? 0) } }
                let w = options.weight ?? PreferenceEvaluation.best(options.weightCandidates) { auc(hybrid(ut, it, $0)) } ?? 0
                results.append(result("hybrid", hybrid(uv, iv, w), hybrid(ut, it, w),
                                      standIns: itemStandIns.merging(["user_fallback": uv.count(where: { $0.score(k: k) == nil })]) { $1 },
                                      parameters: ["k": Double(k), "weight": w]))
            }
        }
        self.results = results
    }

    /// The first candidate with the highest objective.
    static func best<T>(_ candidates: [T], _ objective: (T) -> Double) -> T? {
        var best: (T, Double)? = nil
        for c in candidates {
            let v = objective(c)
            if best == nil || v > best!.1 { best = (c, v) }
        }
        return best?.0
    }
}
