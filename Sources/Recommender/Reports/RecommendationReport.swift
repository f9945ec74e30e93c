import Foundation
import Tensor

/// The files of a `fashion recommend` run, as text: `metrics.json`, `scores.csv`, `roc.csv`,
/// `answers.csv` and a Markdown summary beside the seed's figures.
///
/// The tables use the names every output of the project uses (Docs/OUTPUTS.md): `respondent`,
/// `image` (the photo's file name), `stem`, `label_file`, `split`, `liked` (`true`/`false`),
/// `method`, snake_case columns, one value per cell.
public struct RecommendationReport {
    public let evaluations: [PreferenceEvaluation]
    /// Extra facts for `metrics.json` (features source, autoencoder figures, timings).
    public var notes: [String: String] = [:]

    /// The main evaluation first (its item scores fill `scores.csv`), then others (e.g. autoencoder codes).
    public init(_ evaluations: [PreferenceEvaluation]) { self.evaluations = evaluations }

    public var methods: [PreferenceEvaluation.MethodResult] { evaluations.flatMap(\.results) }

    /// `metrics.json`: one record per method, the figures of ``MethodMetrics`` — a JSON array
    /// of records, so `pd.read_json("metrics.json")` gives one row per method.
    public func metricsJSON() throws -> Data {
        try JSONStyle.encoder().encode(methods.map(\.metrics))
    }

    /// `run.json`: what the run was made from — the notes (features source, autoencoder figures,
    /// timings) and the answered photos without features.
    public func runJSON() throws -> Data {
        struct File: Encodable {
            let missingStems: [String]
            let notes: [String: String]
            enum CodingKeys: String, CodingKey { case missingStems = "missing_stems", notes }
        }
        return try JSONStyle.encoder().encode(File(missingStems: evaluations.first?.missingStems ?? [], notes: notes))
    }

    /// The column name of a method's score in `scores.csv`: `score_` and the method's name in
    /// snake_case (`item-centroid` → `score_item_centroid`, `item (autoencoder)` → `score_item_autoencoder`).
    public static func scoreColumn(_ method: String) -> String {
        var name = "", gap = false
        for c in method.lowercased() {
            if c.isLetter || c.isNumber { if gap && !name.isEmpty { name += "_" }; name.append(c); gap = false } else { gap = true }
        }
        return "score_" + name
    }

    /// `scores.csv`: one row per validation answer — `respondent,image,stem,label_file,liked`, the
    /// item-based method's details (`n_train_liked,n_train_disliked,like_sim,dislike_sim`) and one
    /// `score_<method>` column per method (``scoreColumn(_:)``), then a `probability_<method>`
    /// column per method that gives a probability of a like (`learned`).
    public func scoresCSV() -> String {
        guard let main = evaluations.first else { return "" }
        var columns = ["respondent", "image", "stem", "label_file", "liked", "n_train_liked", "n_train_disliked", "like_sim", "dislike_sim"]
        columns += methods.map { Self.scoreColumn($0.method) }
        let probabilistic = methods.compactMap { m in m.validationProbabilities.map { (method: m.method, values: $0) } }
        columns += probabilistic.map { "probability_" + Self.scoreColumn($0.method).dropFirst("score_".count) }
        var out = columns.joined(separator: ",") + "\n"
        for (i, a) in main.pairs.validation.enumerated() {
            let s = main.item[i]
            var fields = [String(a.respondent), csvField(a.imageFileName), csvField(a.stem), csvField(a.labelFile), a.liked ? "true" : "false",
                          String(s.likedCount), String(s.dislikedCount), Self.number(s.likeSimilarity),
                          Self.number(s.dislikeSimilarity)]
            fields += methods.map { Self.number($0.validationScores[i]) }
            fields += probabilistic.map { Self.number($0.values[i]) }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// `roc.csv`: every method's ROC curve as one long table, `method,fpr,tpr,threshold` (`inf`
    /// for each curve's first point, as NumPy prints it) — `df[df.method == "user"]` is one curve.
    public func rocCSV() -> String {
        var out = "method,fpr,tpr,threshold\n"
        for m in methods {
            let curve = m.roc, name = csvField(m.method)
            for k in curve.fpr.indices {
                out += "\(name),\(Self.number(curve.fpr[k])),\(Self.number(curve.tpr[k])),\(curve.thresholds[k].isFinite ? Self.number(curve.thresholds[k]) : "inf")\n"
            }
        }
        return out
    }

    /// `answers.csv`: the valid answers scored (`split,respondent,image,stem,label_file,liked`), for replays in other tools.
    public func answersCSV() -> String {
        guard let main = evaluations.first else { return "" }
        var out = "split,respondent,image,stem,label_file,liked\n"
        for (split, answers) in [("training", main.pairs.training), ("validation", main.pairs.validation)] {
            for a in answers {
                out += "\(split),\(a.respondent),\(csvField(a.imageFileName)),\(csvField(a.stem)),\(csvField(a.labelFile)),\(a.liked)\n"
            }
        }
        return out
    }

    /// The Markdown summary: methods × accuracies and AUC, beside the seed's and the peers' figures.
    public func markdown(title: String = "Style-preference prediction (missions 3-1, 3-2)") -> String {
        func pct(_ v: Double?) -> String { v.map { $0.isNaN ? "–" : String(format: "%.2f %%", 100 * $0) } ?? "–" }
        func num(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "–" }
        var md = "# \(title)\n\n"
        if let main = evaluations.first {
            md += "\(main.pairs.validation.count) validation answers scored against \(main.pairs.training.count) training answers"
            md += " of \(Set(main.pairs.training.map(\.respondent)).union(main.pairs.validation.map(\.respondent)).count) respondents"
            md += main.missingStems.isEmpty ? ".\n\n" : "; \(main.missingStems.count) answered photos lack features (the median vector stands in).\n\n"
        }
        md += "| method | scored by the method itself | accuracy at 0 | Youden threshold (tuned on validation) | accuracy at it | training threshold (leave-one-out) | accuracy at it | AUC | parameters |\n"
        md += "|---|---|---|---|---|---|---|---|---|\n"
        for m in methods.map(\.metrics) {
            let params = m.parameters.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value == $0.value.rounded() ? String(Int($0.value)) : String($0.value))" }
            md += "| \(m.method) | \(pct(m.ownShare)) | \(pct(m.accuracyAt0)) | \(num(m.youdenThreshold)) | \(pct(m.accuracyAtYouden)) | \(num(m.trainThreshold)) | \(pct(m.accuracyAtTrainThreshold)) | \(num(m.auc)) | \(params.joined(separator: ", ")) |\n"
        }
        md += byTrainingAnswersMarkdown()
        md += """

        The seed (real K-Fashion, 4,262 validation answers): item-based over 512-d ResNet-18 features
        77.05 % at 0, 77.59 % at its Youden threshold 0.0052; over 64-d autoencoder codes 72.20 % / 73.51 %.
        Other camp teams: 82 % (top-1 similar item), 89.2 % (CF over ResNet features plus survey answers).
        The Youden threshold is chosen on the very answers it is then scored on, as the seed did; the
        training threshold is chosen on training answers only (each scored against the respondent's other
        training answers), so its accuracy is the one to quote. "Scored by the method itself" is the share
        of validation answers not left to a fallback: user-based CF scores only answers where a neighbour
        answered the same photo and falls back to the item-centroid score elsewhere, so where its share is
        small its figures are mostly the item-centroid method's.

        """
        return md
    }

    /// Each method's accuracy at its training threshold by the respondent's number of training
    /// answers, and the learned method's cross-validation in one sentence.
    func byTrainingAnswersMarkdown() -> String {
        let rows = methods.map(\.metrics).filter { $0.byTrainingAnswers != nil }
        guard let first = rows.first?.byTrainingAnswers else { return "" }
        var md = "\nAccuracy at each method's training threshold by the respondent's number of training answers (validation answers in each group):\n\n"
        md += "| method | " + first.map { "\($0.trainingAnswers) (\($0.pairs))" }.joined(separator: " | ") + " |\n"
        md += "|---|" + String(repeating: "---|", count: first.count) + "\n"
        for m in rows {
            guard let buckets = m.byTrainingAnswers else { continue }
            md += "| \(m.method) | " + buckets.map { b in b.accuracy.map { String(format: "%.2f %%", 100 * $0) } ?? "–" }.joined(separator: " | ") + " |\n"
        }
        for m in methods.map(\.metrics) {
            let p = m.parameters
            guard let grid = m.crossValidation, let loss = p["cv_log_loss"] else { continue }
            md += "\n\(m.method): σ(c + b_r + w·φ + u_r·Vφ) fitted on the training answers; "
            md += "rank \(Int(p["rank"] ?? 0)) over \(Int(p["dimension"] ?? 0)) whitened PCA components"
            md += (p["centroids"] ?? 0) == 1 ? " of each photo's class centroid" : " of each photo's features"
            md += String(format: ", λ = %g on U and V, λ_b = %g, chosen among %d candidates by %d-fold cross-validation within respondents (held-out log-loss %.4f). ",
                         p["personal_decay"] ?? 0, p["bias_decay"] ?? 0, grid.count, Int(p["folds"] ?? 0), loss)
            md += "Its score is the log-odds of a like: at 0 it predicts a like when the probability is above ½; its training threshold is chosen on out-of-fold scores of the training answers.\n"
        }
        return md
    }

    static func number(_ v: Double) -> String {
        v.isNaN ? "nan" : String(format: "%.9g", v)
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
