/// A receiver operating characteristic curve with scikit-learn's conventions
/// (`sklearn.metrics.roc_curve`, v1.3+): scores sorted descending with a stable sort, one point
/// per distinct score, collinear points dropped (`drop_intermediate=True`), a first point
/// (0, 0) at threshold `+inf`.
public struct ROCCurve: Equatable, Sendable {
    public var fpr: [Double]
    public var tpr: [Double]
    /// Decreasing; the first is `+inf`. A point means "like when score ≥ threshold".
    public var thresholds: [Double]

    /// The curve of `scores` against `labels` (true = positive). With no positives (or no
    /// negatives) the true (false) positive rates are NaN, as scikit-learn's are.
    public init(labels: [Bool], scores: [Double], dropIntermediate: Bool = true) {
        precondition(labels.count == scores.count, "ROCCurve: \(labels.count) labels for \(scores.count) scores")
        // sklearn: argsort(kind="mergesort")[::-1] — a stable ascending sort, reversed.
        // Descending by score, ties by index descending — the reversed stable ascending sort.
        var keyed = scores.enumerated().map { (score: $0.element, index: $0.offset) }
        keyed.sort { $0.score > $1.score || ($0.score == $1.score && $0.index > $1.index) }
        let order = keyed.map(\.index)
        var tps: [Double] = [], fps: [Double] = [], thresholds: [Double] = []
        var tp = 0.0
        for (position, i) in order.enumerated() {
            if labels[i] { tp += 1 }
            let last = position == order.count - 1
            if last || scores[order[position + 1]] != scores[i] {
                tps.append(tp); fps.append(Double(position + 1) - tp); thresholds.append(scores[i])
            }
        }
        if dropIntermediate && fps.count > 2 {
            var keep = [0]
            for k in 1..<(fps.count - 1) {
                let d2f = fps[k + 1] - 2 * fps[k] + fps[k - 1], d2t = tps[k + 1] - 2 * tps[k] + tps[k - 1]
                if d2f != 0 || d2t != 0 { keep.append(k) }
            }
            keep.append(fps.count - 1)
            tps = keep.map { tps[$0] }; fps = keep.map { fps[$0] }; thresholds = keep.map { thresholds[$0] }
        }
        tps.insert(0, at: 0); fps.insert(0, at: 0); thresholds.insert(.infinity, at: 0)
        let p = tps.last ?? 0, n = fps.last ?? 0
        self.tpr = tps.map { p > 0 ? $0 / p : .nan }
        self.fpr = fps.map { n > 0 ? $0 / n : .nan }
        self.thresholds = thresholds
    }

    /// Area under the curve by the trapezoidal rule (`sklearn.metrics.auc(fpr, tpr)`); NaN when
    /// one class is absent (scikit-learn raises there).
    public var area: Double {
        guard fpr.count >= 2, !fpr.contains(where: \.isNaN), !tpr.contains(where: \.isNaN) else { return .nan }
        var s = 0.0
        for k in 1..<fpr.count { s += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2 }
        return s
    }

    /// Youden's J: the first index maximising tpr − fpr (`np.argmax(tpr - fpr)`), its threshold and J.
    public var youden: (index: Int, threshold: Double, j: Double) {
        var best = 0, bestJ = -Double.infinity
        for k in fpr.indices {
            let j = tpr[k] - fpr[k]
            if j > bestJ { best = k; bestJ = j }
        }
        return (best, thresholds.isEmpty ? .infinity : thresholds[best], bestJ)
    }
}

/// Binary classification figures over scores.
public enum BinaryMetrics {
    /// Share of pairs predicted right, predicting positive when `score > threshold`
    /// (`strict`, the seed's "score > 0") or `score ≥ threshold` (a ROC threshold).
    public static func accuracy(labels: [Bool], scores: [Double], threshold: Double, strict: Bool) -> (correct: Int, accuracy: Double) {
        var correct = 0
        for (y, s) in zip(labels, scores) {
            let predicted = strict ? s > threshold : s >= threshold
            if predicted == y { correct += 1 }
        }
        return (correct, labels.isEmpty ? .nan : Double(correct) / Double(labels.count))
    }

    /// The (fpr, tpr) of predicting positive when `score ≥ threshold`.
    public static func operatingPoint(labels: [Bool], scores: [Double], threshold: Double) -> (fpr: Double, tpr: Double) {
        var tp = 0, fp = 0, p = 0, n = 0
        for (y, s) in zip(labels, scores) {
            if y { p += 1; if s >= threshold { tp += 1 } } else { n += 1; if s >= threshold { fp += 1 } }
        }
        return (n > 0 ? Double(fp) / Double(n) : .nan, p > 0 ? Double(tp) / Double(p) : .nan)
    }
}
