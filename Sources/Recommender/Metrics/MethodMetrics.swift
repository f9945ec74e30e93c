/// The figures of one scoring method on the validation answers (`metrics.json`).
public struct MethodMetrics: Codable, Equatable, Sendable {
    public var method: String
    /// Validation answers scored.
    public var pairs: Int
    public var positives: Int
    /// The seed's rule: like when score > 0.
    public var accuracyAt0: Double
    public var correctAt0: Int
    /// The first argmax of tpr − fpr on the validation ROC (the seed's threshold, tuned on the answers it scores); nil when infinite.
    public var youdenThreshold: Double?
    /// Like when score ≥ the Youden threshold.
    public var accuracyAtYouden: Double
    public var correctAtYouden: Int
    /// `roc_auc_score`; nil when one class is absent.
    public var auc: Double?
    /// The Youden threshold of the training answers' leave-one-out scores (no validation answer
    /// used; only answers whose own side keeps another answer); nil when infinite.
    public var trainThreshold: Double?
    /// Like when score ≥ the training threshold.
    public var accuracyAtTrainThreshold: Double
    public var correctAtTrainThreshold: Int
    /// Leave-one-out AUC on the training answers (what hyper-parameters were chosen by).
    public var trainAUC: Double?
    /// Training answers the threshold and hyper-parameters were chosen on.
    public var trainingAnswers: Int
    /// How often stand-ins were used: `like_side_median`, `dislike_side_median`, `photo_missing`, `user_fallback`.
    public var standIns: [String: Int]
    /// Hyper-parameters chosen on training answers (`k`, `weight`), if any.
    public var parameters: [String: Double]
    /// Share of the validation answers the method scored itself — not through a fallback (user-based
    /// CF without a neighbour who answered the photo falls back to the item-centroid score) or a
    /// photo without features. nil in files from before it was recorded.
    public var ownShare: Double?
    /// Accuracy at the training threshold by the respondent's number of training answers
    /// (0–5, 6–10, 11–20, 21–50, > 50); nil in files from before it was recorded.
    public var byTrainingAnswers: [TrainingAnswerBucket]?
    /// The learned method's cross-validation: every candidate and its held-out log-loss.
    public var crossValidation: [LearnedPreferences.Candidate]?

    enum CodingKeys: String, CodingKey {
        case method, pairs, positives
        case accuracyAt0 = "accuracy_at_0", correctAt0 = "correct_at_0"
        case youdenThreshold = "youden_threshold", accuracyAtYouden = "accuracy_at_youden", correctAtYouden = "correct_at_youden"
        case auc
        case trainThreshold = "train_threshold", accuracyAtTrainThreshold = "accuracy_at_train_threshold"
        case correctAtTrainThreshold = "correct_at_train_threshold", trainAUC = "train_auc", trainingAnswers = "training_answers"
        case standIns = "stand_ins", parameters, ownShare = "own_share"
        case byTrainingAnswers = "by_training_answers", crossValidation = "cross_validation"
    }

    /// Computes every figure from validation and training (leave-one-out) scores; `roc`, when
    /// given, is the validation scores' curve already computed.
    public init(method: String, labels: [Bool], scores: [Double], trainingLabels: [Bool], trainingScores: [Double],
                standIns: [String: Int] = [:], parameters: [String: Double] = [:], ownScored: Int? = nil, roc given: ROCCurve? = nil) {
        self.method = method
        pairs = labels.count
        positives = labels.count(where: { $0 })
        (correctAt0, accuracyAt0) = BinaryMetrics.accuracy(labels: labels, scores: scores, threshold: 0, strict: true)
        let roc = given ?? ROCCurve(labels: labels, scores: scores)
        let y = roc.youden.threshold
        youdenThreshold = y.isFinite ? y : nil
        (correctAtYouden, accuracyAtYouden) = BinaryMetrics.accuracy(labels: labels, scores: scores, threshold: y, strict: false)
        auc = roc.area.isNaN ? nil : roc.area
        let trainROC = ROCCurve(labels: trainingLabels, scores: trainingScores)
        let t = trainingLabels.isEmpty ? 0 : trainROC.youden.threshold
        trainThreshold = t.isFinite ? t : nil
        (correctAtTrainThreshold, accuracyAtTrainThreshold) = BinaryMetrics.accuracy(labels: labels, scores: scores, threshold: t, strict: false)
        trainAUC = trainROC.area.isNaN ? nil : trainROC.area
        trainingAnswers = trainingLabels.count
        self.standIns = standIns
        self.parameters = parameters
        ownShare = ownScored.map { labels.isEmpty ? 0 : Double($0) / Double(labels.count) }
    }
}

/// A method's accuracy on the validation answers of respondents with a given number of training answers.
public struct TrainingAnswerBucket: Codable, Equatable, Sendable {
    /// `0-5`, `6-10`, `11-20`, `21-50` or `>50`.
    public var trainingAnswers: String
    /// Validation answers in the bucket.
    public var pairs: Int
    /// Right at the method's training threshold (nil for an empty bucket).
    public var accuracy: Double?

    enum CodingKeys: String, CodingKey { case trainingAnswers = "training_answers", pairs, accuracy }

    /// The buckets' bounds, inclusive.
    public static let bounds: [(String, ClosedRange<Int>)] = [("0-5", 0...5), ("6-10", 6...10), ("11-20", 11...20),
                                                              ("21-50", 21...50), (">50", 51...Int.max)]

    /// Every bucket (empty ones too) for answers with `trainingAnswers[i]` training answers of their respondent.
    public static func table(labels: [Bool], scores: [Double], threshold: Double, trainingAnswers: [Int]) -> [TrainingAnswerBucket] {
        bounds.map { name, range in
            var pairs = 0, right = 0
            for i in labels.indices where range.contains(trainingAnswers[i]) {
                pairs += 1
                if (scores[i] >= threshold) == labels[i] { right += 1 }
            }
            return TrainingAnswerBucket(trainingAnswers: name, pairs: pairs, accuracy: pairs > 0 ? Double(right) / Double(pairs) : nil)
        }
    }
}
