import Foundation

/// How well a classifier did: accuracy, per-class accuracy, confusion matrix, and the
/// paper's majority/minority accuracies with their harmonic mean `acc_h`.
public struct Evaluation: Codable, Equatable, Sendable {
    public let classes: [String]
    /// `confusion[t][p]`: examples of true class t predicted as p.
    public let confusion: [[Int]]

    /// From true and predicted class indices.
    public init(classes: [String], truth: [Int], predictions: [Int]) {
        precondition(truth.count == predictions.count, "Evaluation: \(truth.count) truths, \(predictions.count) predictions")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (t, p) in zip(truth, predictions) { m[t][p] += 1 }
        self.classes = classes; self.confusion = m
    }

    public var examples: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { classes.indices.reduce(0) { $0 + confusion[$1][$1] } }
    public var accuracy: Double { examples > 0 ? Double(correct) / Double(examples) : 0 }

    /// Examples of each class.
    public var support: [Int] { confusion.map { $0.reduce(0, +) } }

    /// One class's figures as scikit-learn's `classification_report` gives them.
    public struct ClassMetrics: Codable, Equatable, Sendable {
        /// The class (`class` in JSON).
        public let name: String
        /// Examples of the class.
        public let support: Int
        /// Right among those predicted as the class (nil when none was).
        public let precision: Double?
        /// Right among the class's examples (nil when it has none).
        public let recall: Double?
        /// Harmonic mean of the two (0 when both are 0; nil when either is undefined).
        public let f1: Double?

        enum CodingKeys: String, CodingKey { case name = "class", support, precision, recall, f1 }
    }

    /// Precision, recall and F1 of every class.
    public var perClass: [ClassMetrics] {
        classes.indices.map { c in
            let predicted = confusion.reduce(0) { $0 + $1[c] }, hit = confusion[c][c]
            let p = predicted > 0 ? Double(hit) / Double(predicted) : nil
            let r = support[c] > 0 ? Double(hit) / Double(support[c]) : nil
            let f = p.flatMap { p in r.map { r in p + r > 0 ? 2 * p * r / (p + r) : 0 } }
            return ClassMetrics(name: classes[c], support: support[c], precision: p, recall: r, f1: f)
        }
    }

    /// scikit-learn's `f1_score(average="macro")`: the mean F1 over the classes that occur as
    /// truth or prediction, an undefined precision or recall counting as 0.
    public var macroF1: Double {
        let present = perClass.filter { $0.support > 0 || $0.precision != nil }
        guard !present.isEmpty else { return 0 }
        return present.map { $0.f1 ?? 0 }.reduce(0, +) / Double(present.count)
    }

    enum CodingKeys: String, CodingKey {
        case classes, confusion, accuracy, correct, examples
        case perClass = "per_class", macroF1 = "macro_f1"
    }

    /// Decodes `classes` and `confusion` (the figures follow from them).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        classes = try c.decode([String].self, forKey: .classes)
        confusion = try c.decode([[Int]].self, forKey: .confusion)
        guard confusion.count == classes.count, confusion.allSatisfy({ $0.count == classes.count && $0.allSatisfy { $0 >= 0 } }) else {
            throw DecodingError.dataCorruptedError(forKey: .confusion, in: c,
                                                   debugDescription: "not a \(classes.count) × \(classes.count) matrix of counts")
        }
    }

    /// `classes`, `confusion`, and the figures a pandas user reads without recomputing them:
    /// `accuracy`, `correct`, `examples`, `per_class` (class, support, precision, recall, f1), `macro_f1`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(classes, forKey: .classes)
        try c.encode(confusion, forKey: .confusion)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(correct, forKey: .correct)
        try c.encode(examples, forKey: .examples)
        try c.encode(perClass, forKey: .perClass)
        try c.encode(macroF1, forKey: .macroF1)
    }

    /// Recall of each class (nil for a class without examples).
    public var perClassAccuracy: [Double?] {
        classes.indices.map { c in support[c] > 0 ? Double(confusion[c][c]) / Double(support[c]) : nil }
    }

    /// Classes ordered from the lowest accuracy to the highest (ties by name), classes without examples left out.
    public var classesByAccuracy: [(name: String, accuracy: Double)] {
        classes.indices.compactMap { c in perClassAccuracy[c].map { (classes[c], $0) } }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    /// The one definition of the minority classes for `acc_h`: the classes with fewer training
    /// examples than the median class (the median of the counts as `sorted[count / 2]`). Decided
    /// from the training counts when a model is trained and stored in its checkpoint
    /// (``CheckpointMetadata/minorityClasses``), so training and later evaluations agree.
    public static func minorityClasses(trainingCounts counts: [Int]) -> Set<Int> {
        guard !counts.isEmpty else { return [] }
        let median = counts.sorted()[counts.count / 2]
        return Set(counts.indices.filter { counts[$0] < median })
    }

    /// Accuracy over the examples of `subset` (class indices).
    public func accuracy(over subset: Set<Int>) -> Double {
        let n = subset.reduce(0) { $0 + support[$1] }
        return n > 0 ? Double(subset.reduce(0) { $0 + confusion[$1][$1] }) / Double(n) : 0
    }

    /// The paper's `acc_h`: harmonic mean of majority- and minority-class accuracies (0 when either is 0).
    public func harmonicAccuracy(minority: Set<Int>) -> (majority: Double, minority: Double, harmonic: Double) {
        let majority = Set(classes.indices).subtracting(minority)
        let a = accuracy(over: majority), b = accuracy(over: minority)
        return (a, b, a + b > 0 ? 2 * a * b / (a + b) : 0)
    }

    /// A Markdown report: overall figures, per-class table, confusion matrix.
    public func markdown(title: String, minority: Set<Int> = []) -> String {
        var out = "# \(title)\n\n"
        out += String(format: "accuracy **%.2f %%** (%d of %d)\n\n", 100 * accuracy, correct, examples)
        if !minority.isEmpty {
            let h = harmonicAccuracy(minority: minority)
            out += String(format: "majority %.2f %%, minority %.2f %%, acc_h %.2f %%\n\n", 100 * h.majority, 100 * h.minority, 100 * h.harmonic)
        }
        out += "| class | examples | accuracy |\n|---|---:|---:|\n"
        for (c, name) in classes.enumerated() {
            out += "| \(name) | \(support[c]) | " + (perClassAccuracy[c].map { String(format: "%.2f %%", 100 * $0) } ?? "–") + " |\n"
        }
        out += "\n## confusion matrix (rows: truth, columns: prediction)\n\n| | " + classes.indices.map(String.init).joined(separator: " | ") + " |\n"
        out += "|---|" + String(repeating: "---:|", count: classes.count) + "\n"
        for (t, row) in confusion.enumerated() { out += "| \(t) \(classes[t]) | " + row.map(String.init).joined(separator: " | ") + " |\n" }
        return out
    }
}
