import Dataset

/// Mission 2-2's valid answers in the shape the scorers use: every answer's respondent,
/// photo (canonical stem, the key of a ``FeatureStore``) and label, split into training and
/// validation, with each respondent's training answers gathered.
///
/// Built from a `PreferenceTable` so the answer rules are exactly `fashion preferences`'s
/// (contradictions dropped, repeats kept once, invalid files skipped).
public struct RatedPairs: Sendable {
    /// One answer.
    public struct Answer: Hashable, Sendable {
        public var respondent: Int
        /// Canonical image stem (`W_01752_00_metrosexual_M`; `hippee` spelled `hippie`).
        public var stem: String
        /// The photo's name as its label spells it (`…_M.jpg`).
        public var imageFileName: String
        public var labelFile: String
        /// Q5 = 2.
        public var liked: Bool
        public init(respondent: Int, stem: String, imageFileName: String, labelFile: String, liked: Bool) {
            self.respondent = respondent; self.stem = stem; self.imageFileName = imageFileName
            self.labelFile = labelFile; self.liked = liked
        }
    }

    /// Training answers (the respondents' known tastes), in the table's order.
    public let training: [Answer]
    /// Validation answers (the pairs to predict), in the table's order.
    public let validation: [Answer]
    /// Respondent → indices into ``training``.
    public let trainingByRespondent: [Int: [Int]]

    public init(training: [Answer], validation: [Answer]) {
        self.training = training; self.validation = validation
        var by: [Int: [Int]] = [:]
        for (i, a) in training.enumerated() { by[a.respondent, default: []].append(i) }
        self.trainingByRespondent = by
    }

    /// The valid answers of mission 2-2.
    public init(table: PreferenceTable) {
        func convert(_ a: SurveyAnswer) -> Answer {
            Answer(respondent: a.respondent, stem: a.image.canonicalStem, imageFileName: a.imageFileName,
                   labelFile: a.labelFile, liked: a.liked)
        }
        self.init(training: table.answers.filter { $0.split == .training }.map(convert),
                  validation: table.answers.filter { $0.split == .validation }.map(convert))
    }

    /// Stems answered in either split.
    public var stems: Set<String> { Set(training.map(\.stem)).union(validation.map(\.stem)) }
}
