import Dataset
import Foundation
import Tensor

/// Missions 3-1 and 3-2 from features and a tree, as `fashion recommend` runs them: the survey
/// answers joined (`SurveyJoin`), split into training and validation pairs, every method
/// scored (``PreferenceEvaluation``) and, when asked, the camp's autoencoder codes scored too.
///
/// ```swift
/// var run = PreferenceRun(store: try FeatureFile.read(contentsOf: featuresURL), join: try SurveyJoin(tree: tree))
/// run.options.methods = [.item, .itemCentroid]
/// let outcome = try run.run()
/// try outcome.report.write(to: URL(fileURLWithPath: "runs/recommend"))
/// ```
public struct PreferenceRun {
    /// The photos' features, keyed by canonical stem.
    public let store: FeatureStore
    /// The tree's photos, labels and kept answers.
    public let join: SurveyJoin
    /// The methods and their settings.
    public var options = PreferenceEvaluation.Options()
    /// When set, the features are also encoded by the camp's autoencoder (fitted on the
    /// training answers' photos) and the codes scored with the item methods.
    public var autoencoder: AutoencodedFeatures? = nil

    /// A run over `store`'s features and `join`'s answers, every method by default.
    public init(store: FeatureStore, join: SurveyJoin) { self.store = store; self.join = join }

    /// What happens while it runs.
    public enum Event {
        /// The autoencoder finished `epoch` (1-based) at this training loss.
        case autoencoderEpoch(Int, Double)
    }

    /// What a run gave.
    public struct Outcome {
        /// The evaluations and the notes of `run.json`.
        public var report: RecommendationReport
        /// The answers scored: training and validation pairs.
        public var pairs: RatedPairs
        /// Rows of the features file that name no photo of the tree (counted and named, never matched).
        public var strangers: [String]
        /// Label files left out by the join.
        public var skipped: [SkippedFile]
        /// The autoencoder's figures, when it ran.
        public var autoencoder: AutoencodedFeatures.Result?
    }

    /// Scores every method (and the autoencoder's codes when asked); `events` hears the autoencoder's epochs.
    public func run(events: (Event) -> Void = { _ in }) throws -> Outcome {
        var notes: [String: String] = [:]
        let photoStems = join.photoStems
        let strangers = store.stems.filter { !photoStems.contains($0) }
        if !strangers.isEmpty { notes["feature_rows_without_photo"] = String(strangers.count) }
        let pairs = RatedPairs(table: join.preferences)
        if let problem = Self.problem(pairs: pairs, featureStems: Set(store.stems)) { throw PreferenceRunError(reason: problem) }
        let t0 = Date()
        var evaluations = [try PreferenceEvaluation(store: store, pairs: pairs, options: options)]
        notes["scoring_seconds"] = String(format: "%.3f", Date().timeIntervalSince(t0))
        var encoded: AutoencodedFeatures.Result? = nil
        if let autoencoder {
            let r = try withoutActuallyEscaping(events) { events in
                try autoencoder.run(store, trainingStems: Set(pairs.training.map(\.stem))) { events(.autoencoderEpoch($0, $1)) }
            }
            notes["autoencoder_reconstruction_mse"] = String(r.reconstructionError)
            notes["autoencoder_mean_vector_mse"] = String(r.meanVectorError)
            notes["autoencoder_epochs"] = String(autoencoder.epochs)
            var codeOptions = PreferenceEvaluation.Options()
            codeOptions.methods = [.item, .itemCentroid]
            evaluations.append(try PreferenceEvaluation(store: r.store, pairs: pairs, options: codeOptions, label: "autoencoder-\(r.store.dimension) "))
            encoded = r
        }
        var report = RecommendationReport(evaluations)
        report.notes = notes
        return Outcome(report: report, pairs: pairs, strangers: strangers, skipped: join.preferences.skipped, autoencoder: encoded)
    }
}

extension PreferenceRun {
    /// Why the answers and features cannot give a figure — checked before any scoring — or nil:
    /// training answers to learn from, validation answers to score (both likes and dislikes, or
    /// AUC means nothing), and the features file must name the photos they are about.
    public static func problem(pairs: RatedPairs, featureStems: Set<String>) -> String? {
        if pairs.training.isEmpty { return "no training answers (training_label) to learn a respondent's taste from" }
        if pairs.validation.isEmpty { return "no validation answers (validation_label) to score" }
        let liked = pairs.validation.filter(\.liked).count
        if liked == 0 || liked == pairs.validation.count {
            return "all \(pairs.validation.count) validation answers are \(liked == 0 ? "dislikes" : "likes"): accuracy and AUC need both"
        }
        let covered = pairs.validation.filter { featureStems.contains($0.stem) }.count
        if covered == 0 {
            return "the features file names none of the \(pairs.validation.count) validation answers' photos (its rows are of another data set?)"
        }
        if !pairs.training.contains(where: { featureStems.contains($0.stem) }) {
            return "the features file names none of the \(pairs.training.count) training answers' photos (its rows are of another data set?)"
        }
        return nil
    }
}

/// Why a preference run cannot give an answer (found before any scoring).
public struct PreferenceRunError: Error, CustomStringConvertible, Sendable {
    /// What is missing.
    public let reason: String
    /// The reason.
    public var description: String { reason }
}

extension RecommendationReport {
    /// Writes `metrics.json`, `run.json`, `scores.csv`, `answers.csv`, `roc.csv` and `summary.md`
    /// — and the `extra` files given (a picture of the curves) — into `folder` as one
    /// `OutputSet` (all old or all new, whatever interrupts it), and removes the per-method
    /// `roc-<method>.csv` files older versions wrote. Returns the names written.
    @discardableResult
    public func write(to folder: URL, extra: [(String, Data)] = []) throws -> [String] {
        try AtomicFile.createFolder(folder)
        let files: [(String, Data)] = [("metrics.json", try metricsJSON()), ("run.json", try runJSON()),
                                       ("scores.csv", Data(scoresCSV().utf8)), ("answers.csv", Data(answersCSV().utf8)),
                                       ("roc.csv", Data(rocCSV().utf8)), ("summary.md", Data(markdown().utf8))] + extra
        var set = OutputSet(folder: folder, name: "recommendation")
        for (name, data) in files { try set.add(name) { try FeatureFile.writeAtomically(data, to: $0) } }
        try set.commit()
        for m in methods where m.method != "item" {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent("roc-\(m.method.replacingOccurrences(of: " ", with: "-")).csv"))
        }
        return files.map(\.0)
    }
}
