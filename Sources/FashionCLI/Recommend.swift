import ArgumentParser
import Dataset
import Foundation
import Models
import Recommender

/// Missions 3-1 and 3-2: predict each respondent's likes.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Missions 3-1/3-2: item-based, user-based, hybrid and learned preference prediction over image features; ROC, thresholds, AUC.")

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Features file (.safetensors or .csv with header stem,f0,…), e.g. from `fashion features`.") var features: String?
    @Option(help: "Or a checkpoint: its features are extracted first (and saved as features.safetensors/.csv in --out). Given with --features, the file is checked against it and used.") var checkpoint: String?
    @Option(help: "Prepared photos, for --checkpoint.") var prepared = "data/prepared"
    @Option(help: "item (the seed's, exactly), item-centroid (neutral stand-in), user, hybrid, learned (logistic matrix factorisation over PCA features, cross-validated) or all.") var method = MethodSelection.all
    @Option(help: "Neighbours for user-based CF (default: chosen on training answers).") var k: Int?
    @Option(help: "Weight of the user score in the hybrid (default: chosen on training answers).") var weight: Double?
    @Flag(help: "Also score with the camp's autoencoder codes (512→128→64→128→512).") var autoencoder = false
    @Option(help: "Autoencoder epochs.") var autoencoderEpochs = 200
    @Option(help: "Random seed (autoencoder).") var seed: UInt64 = 42
    @Option(help: "Cross-validation folds of the learned method (split within each respondent).") var folds = 5
    @Option(help: "Seed of the learned method's folds and starting points.") var learnedSeed: UInt64 = 1
    @Option(name: [.customLong("out"), .customLong("output")], help: "Output folder: metrics.json, scores.csv, roc.csv, roc.svg, summary.md, answers.csv.") var out = "runs/recommend"

    func validate() throws {
        guard features != nil || checkpoint != nil else { throw ValidationError("give --features or --checkpoint") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
        guard (2...100).contains(folds) else { throw ValidationError("--folds must be 2 … 100 (got \(folds))") }
    }

    func run() throws {
        let started = Date()
        let folder = URL(fileURLWithPath: out)
        try OutputFolder.create(folder, option: "--out", lock: true)
        let store: FeatureStore
        var notes: [String: String] = [:], skipped: [SkippedFile] = []
        if let features {
            store = try FeatureFile.read(contentsOf: URL(fileURLWithPath: features))
            notes["features"] = features
            if let checkpoint {
                let (model, _) = try Checkpoint.load(contentsOf: URL(fileURLWithPath: checkpoint))
                let expected = model.fc.weight.shape[1]
                guard store.dimension == expected else {
                    throw FeatureFileError(path: features, line: 1, reason: "\(store.dimension) features per row, but \(checkpoint) gives \(expected)")
                }
            }
        } else {
            guard let checkpoint else { throw ValidationError("give --features or --checkpoint") }
            let (s, photos) = try Features.extract(checkpoint: checkpoint, dataOptions: dataOptions, prepared: prepared, batchSize: 32)
            skipped += photos
            store = s
            let written = try Features.write(store, to: folder.appendingPathComponent("features.safetensors").path)
            notes["features"] = written.joined(separator: ", ")
        }
        print("features: \(store.count) photos × \(store.dimension)")

        let join = try SurveyJoin(tree: try dataOptions.tree())
        var run = PreferenceRun(store: store, join: join)
        run.options.methods = method.methods
        run.options.k = k
        run.options.weight = weight
        run.options.learned.folds = folds
        run.options.learned.seed = learnedSeed
        if autoencoder {
            var ae = AutoencodedFeatures()
            ae.epochs = autoencoderEpochs; ae.seed = seed
            run.autoencoder = ae
        }
        let bar = autoencoder ? TerminalProgress(total: autoencoderEpochs, label: "autoencoder: epochs") : nil
        var outcome = try run.run { event in
            if case .autoencoderEpoch(let e, let loss) = event { bar?.update(e, detail: String(format: "loss %.5f", loss)) }
        }
        bar?.finish()
        if !outcome.strangers.isEmpty {
            // Another tree's features, or keys that are no photo names: counted and named, never matched by accident.
            printError("\(outcome.strangers.count) of \(store.count) feature rows name no photo in \(dataOptions.data), e.g. \(outcome.strangers.prefix(3).joined(separator: ", "))\n")
        }
        try SkippedReport.note(skipped + outcome.skipped, folder: folder)
        print("answers: \(outcome.pairs.training.count) training, \(outcome.pairs.validation.count) validation (mission 2-2's rules; \(outcome.skipped.count) label files skipped)")
        if let missing = outcome.report.evaluations.first?.missingStems, !missing.isEmpty {
            printError("\(missing.count) answered photos have no features (median vector used), e.g. \(missing.prefix(3).joined(separator: ", "))\n")
        }
        if let r = outcome.autoencoder {
            print(String(format: "autoencoder: %d training photos, reconstruction MSE %.5f (mean vector %.5f), %.1f s",
                         r.trainingRows, r.reconstructionError, r.meanVectorError, r.log.seconds))
        }
        outcome.report.notes.merge(notes) { _, given in given }
        let plot = ROCPlot(results: outcome.report.methods, labels: outcome.report.evaluations[0].validationLabels).svg()
        try outcome.report.write(to: folder, extra: [("roc.svg", Data(plot.utf8))])
        print(outcome.report.markdown())
        print(String(format: "wrote metrics.json, scores.csv, roc.csv, roc.svg, summary.md, answers.csv in %@ (%.1f s)", out, Date().timeIntervalSince(started)))
    }
}
