import ArgumentParser
import Dataset
import Foundation
import Models
import Recommender

/// Missions 3-1 and 3-2: predict each respondent's likes.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Missions 3-1/3-2: item-based, user-based and hybrid preference prediction over image features; ROC, thresholds, AUC.")

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Features file (.safetensors or .csv with header stem,f0,…), e.g. from `fashion features`.") var features: String?
    @Option(help: "Or a checkpoint: its features are extracted first (and saved as features.safetensors/.csv in --out). Given with --features, the file is checked against it and used.") var checkpoint: String?
    @Option(help: "Prepared photos, for --checkpoint.") var prepared = "data/prepared"
    @Option(help: "item (the seed's, exactly), item-centroid (neutral stand-in), user, hybrid or all.") var method = MethodSelection.all
    @Option(help: "Neighbours for user-based CF (default: chosen on training answers).") var k: Int?
    @Option(help: "Weight of the user score in the hybrid (default: chosen on training answers).") var weight: Double?
    @Flag(help: "Also score with the camp's autoencoder codes (512→128→64→128→512).") var autoencoder = false
    @Option(help: "Autoencoder epochs.") var autoencoderEpochs = 200
    @Option(help: "Random seed (autoencoder).") var seed: UInt64 = 42
    @Option(name: [.customLong("out"), .customLong("output")], help: "Output folder: metrics.json, scores.csv, roc.csv, roc.svg, summary.md, answers.csv.") var out = "runs/recommend"

    func validate() throws {
        guard features != nil || checkpoint != nil else { throw ValidationError("give --features or --checkpoint") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let started = Date()
        let folder = URL(fileURLWithPath: out)
        try OutputFolder.create(folder, option: "--out")
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

        let tree = try dataOptions.tree()
        let images = try ImageStatistics(tree: tree)
        let labels = try LabelStatistics(tree: tree, images: images)
        // Rows of the features file that name no photo of this tree (another tree's features, or
        // keys that are no photo names): counted and named, never matched by accident.
        let photoStems = Set((images.training + images.validation).map(\.key.canonicalStem))
        let strangers = store.stems.filter { !photoStems.contains($0) }
        if !strangers.isEmpty {
            notes["feature_rows_without_photo"] = String(strangers.count)
            FileHandle.standardError.write(Data("\(strangers.count) of \(store.count) feature rows name no photo in \(dataOptions.data), e.g. \(strangers.prefix(3).joined(separator: ", "))\n".utf8))
        }
        let table = PreferenceTable(tree: tree, labels: labels)
        let pairs = RatedPairs(table: table)
        skipped += table.skipped
        try SkippedReport.note(skipped, folder: folder)
        print("answers: \(pairs.training.count) training, \(pairs.validation.count) validation (mission 2-2's rules; \(table.skipped.count) label files skipped)")

        var options = PreferenceEvaluation.Options()
        options.methods = method.methods
        options.k = k
        options.weight = weight
        let t0 = Date()
        var evaluations = [PreferenceEvaluation(store: store, pairs: pairs, options: options)]
        notes["scoring_seconds"] = String(format: "%.3f", Date().timeIntervalSince(t0))
        if let missing = evaluations.first?.missingStems, !missing.isEmpty {
            FileHandle.standardError.write(Data("\(missing.count) answered photos have no features (median vector used), e.g. \(missing.prefix(3).joined(separator: ", "))\n".utf8))
        }
        if autoencoder {
            var ae = AutoencodedFeatures()
            ae.epochs = autoencoderEpochs; ae.seed = seed
            let bar = TerminalProgress(total: autoencoderEpochs, label: "autoencoder: epochs")
            let trainingStems = Set(pairs.training.map(\.stem))
            let r = try ae.run(store, trainingStems: trainingStems) { e, loss in bar.update(e, detail: String(format: "loss %.5f", loss)) }
            bar.finish()
            print(String(format: "autoencoder: %d training photos, reconstruction MSE %.5f (mean vector %.5f), %.1f s",
                         r.trainingRows, r.reconstructionError, r.meanVectorError, r.log.seconds))
            notes["autoencoder_reconstruction_mse"] = String(r.reconstructionError)
            notes["autoencoder_mean_vector_mse"] = String(r.meanVectorError)
            notes["autoencoder_epochs"] = String(autoencoderEpochs)
            var aeOptions = PreferenceEvaluation.Options()
            aeOptions.methods = [.item, .itemCentroid]
            evaluations.append(PreferenceEvaluation(store: r.store, pairs: pairs, options: aeOptions, label: "autoencoder-\(r.store.dimension) "))
        }

        var report = RecommendationReport(evaluations)
        report.notes = notes
        func save(_ name: String, _ data: Data) throws { try FeatureFile.writeAtomically(data, to: folder.appendingPathComponent(name)) }
        try save("metrics.json", try report.metricsJSON())
        try save("run.json", try report.runJSON())
        try save("scores.csv", Data(report.scoresCSV().utf8))
        try save("answers.csv", Data(report.answersCSV().utf8))
        try save("roc.csv", Data(report.rocCSV().utf8))
        for m in report.methods where m.method != "item" {
            // One long roc.csv replaced the per-method roc-<method>.csv files of older versions.
            try? FileManager.default.removeItem(at: folder.appendingPathComponent("roc-\(m.method.replacingOccurrences(of: " ", with: "-")).csv"))
        }
        try save("roc.svg", Data(ROCPlot(results: report.methods, labels: evaluations[0].validationLabels).svg().utf8))
        let markdown = report.markdown()
        try save("summary.md", Data(markdown.utf8))
        print(markdown)
        print(String(format: "wrote metrics.json, scores.csv, roc.csv, roc.svg, summary.md, answers.csv in %@ (%.1f s)", out, Date().timeIntervalSince(started)))
    }
}
