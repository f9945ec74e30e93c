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

    /// Recall of each class (nil for a class without examples).
    public var perClassAccuracy: [Double?] {
        classes.indices.map { c in support[c] > 0 ? Double(confusion[c][c]) / Double(support[c]) : nil }
    }

    /// Classes ordered from the lowest accuracy to the highest (ties by name), classes without examples left out.
    public var classesByAccuracy: [(name: String, accuracy: Double)] {
        classes.indices.compactMap { c in perClassAccuracy[c].map { (classes[c], $0) } }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
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
