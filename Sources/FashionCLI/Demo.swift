import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// `fashion demo`: everything that exists so far, end to end, on the embedded default data —
/// a generated K-Fashion look-alike set (missions 1-1, 2-1, 2-2 and the photo preparation of
/// 1-2), the kernel benchmark summary, and a short ResNet-18 run on Fashion-MNIST.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every step that exists on the embedded default data (minutes on two cores).")

    @Option(help: "Fashion-MNIST training images used by the short run.")
    var trainImages = 1500

    @Option(help: "Fashion-MNIST test images evaluated.")
    var testImages = 1000

    @Option(help: "Directory of Fashion-MNIST's gzip IDX files.")
    var fashionMNIST = FashionMNIST.defaultDirectory

    @Flag(help: "Skip the kernel benchmark.")
    var skipBench = false

    @Option(help: "Folder for the generated set and every report.")
    var out = "demo-output"

    @Option(help: "Side of the prepared photos.")
    var prepareSize = 112

    func run() throws {
        try missions()
        if !skipBench {
            print("== Kernel benchmark (ResNet-18 convolutions at 224×224, batch 16; training step at batch 16)")
            var bench = KernelBenchmark()
            bench.trainBatches = [16]
            bench.trainSteps = 1
            bench.repetitions = 1
            print(BenchmarkTable.render(bench.run()))
            print()
        }
        print("== ResNet-18 (small-image stem) from scratch on Fashion-MNIST: \(trainImages) training images, one epoch")
        let train = try FashionMNIST(split: .train, directory: fashionMNIST)
        let test = try FashionMNIST(split: .test, directory: fashionMNIST)
        let model = ResNet18(classes: 10, inputChannels: 1, stem: .small, seed: 42)
        let optimizer = Adam(model.parameters, learningRate: 1e-3)
        var generator = RandomGenerator(seed: 42)
        let order = Array(generator.permutation(train.count).prefix(min(trainImages, train.count)))
        let (mean, std): (Float, Float) = (0.2860, 0.3530)   // Fashion-MNIST training-set pixel mean and std
        let batchSize = 32
        let trainBatches = stride(from: 0, to: order.count, by: batchSize).lazy.map { s in
            let idx = Array(order[s..<min(s + batchSize, order.count)])
            return LabelledBatch(images: train.batch(idx, mean: mean, std: std), labels: idx.map { train.labels[$0] })
        }
        let progress = TerminalProgress(total: (order.count + batchSize - 1) / batchSize, label: "train")
        let fit = try ClassifierEpoch.train(model, optimizer: optimizer, batches: trainBatches) { i, s in
            progress.update(i + 1, detail: String(format: "loss %.3f  acc %.1f%%  %.0f img/s", s.loss, 100 * s.accuracy, s.imagesPerSecond))
        }
        progress.finish()
        let testCount = min(testImages, test.count)
        let testBatches = stride(from: 0, to: testCount, by: 100).lazy.map { s in
            let idx = Array(s..<min(s + 100, testCount))
            return LabelledBatch(images: test.batch(idx, mean: mean, std: std), labels: idx.map { test.labels[$0] })
        }
        let eval = ClassifierEpoch.evaluate(model, batches: testBatches)
        print(String(format: "training: loss %.4f, accuracy %.2f%%, %.1f images/s (%.0f s)", fit.loss, 100 * fit.accuracy, fit.imagesPerSecond, fit.seconds))
        print(String(format: "test (%d images): loss %.4f, accuracy %.2f%% (chance 10%%)", eval.examples, eval.loss, 100 * eval.accuracy))
    }

    /// Missions 1-1, 2-1, 2-2 and the preparation of 1-2 on a generated set (made once, then reused).
    func missions() throws {
        let root = URL(fileURLWithPath: out)
        let data = root.appendingPathComponent("kfashion"), reports = root.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: data.appendingPathComponent("training_label").path) {
            print("== Generated K-Fashion look-alike set: reusing \(data.path)")
        } else {
            print("== Generating a K-Fashion look-alike set at scale 1 (the seed's 4,070 + 951 photos) in \(data.path)")
            let bar = TerminalProgress(total: 1, label: "synth: files")
            let s = try KFashionGenerator().generate(into: data) { done, total in bar.update(done, of: total) }
            bar.finish()
            print("\(s.trainingImages) + \(s.validationImages) photos, \(s.validLabels) valid + \(s.orphanLabels) orphan labels, \(s.respondents) respondents (\(String(format: "%.0f", s.seconds)) s)")
        }
        let tree = try KFashionTree(root: data)
        func save(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: reports.appendingPathComponent(name), options: .atomic)
        }

        print("\n== Mission 1-1: photos by gender and style")
        let images = try ImageStatistics(tree: tree)
        let imageReport = images.report
        print(try imageReport.rendered(as: .text))
        for format in [ReportFormat.markdown, .csv, .json] { try save("mission-1-1.\(format.fileExtension)", try imageReport.rendered(as: format)) }

        print("== Mission 2-1: labels whose photo exists (full-stem join)")
        let labels = try LabelStatistics(tree: tree, images: images)
        let labelReport = labels.report
        for t in labelReport.totals { print("  \(t.name): \(TextTable.grouped(t.value))") }
        for format in [ReportFormat.markdown, .csv, .json] { try save("mission-2-1.\(format.fileExtension)", try labelReport.rendered(as: format)) }

        print("\n== Mission 2-2: preference table")
        let table = PreferenceTable(tree: tree, labels: labels)
        let top = PreferenceReport(table: table, top: 100)
        let text = try PreferenceReport(table: table, top: 10).rendered(as: .text)
        print(text)
        for format in [ReportFormat.html, .csv, .json] { try save("mission-2-2-top100.\(format.fileExtension)", try top.rendered(as: format)) }

        print("== Mission 1-2, steps 1-3: preparing the photos at \(prepareSize)×\(prepareSize)")
        let prepared = PreparedSet(tree: tree, output: root.appendingPathComponent("prepared"), preparer: PhotoPreparer(size: prepareSize))
        let bar = TerminalProgress(total: 1, label: "prepare: photos")
        let p = try prepared.run { done, total in bar.update(done, of: total) }
        bar.finish()
        print("prepared \(p.prepared) photos (\(p.reused) reused) in \(String(format: "%.1f", p.seconds)) s; \(p.flagged.count) flagged by the white-share IQR rule")
        if let n = p.normalization {
            print(String(format: "training mean %.4f %.4f %.4f, std %.4f %.4f %.4f (seed: 0.8752 0.8656 0.8636, 0.2598 0.2734 0.2761)",
                         n.mean[0], n.mean[1], n.mean[2], n.std[0], n.std[1], n.std[2]))
        }
        print("\nreports in \(reports.path) (Markdown, CSV, JSON, HTML); prepared photos in \(root.appendingPathComponent("prepared").path)\n")
    }
}

extension ReportFormat {
    var fileExtension: String {
        switch self {
        case .text: return "txt"
        case .markdown: return "md"
        case .csv: return "csv"
        case .json: return "json"
        case .html: return "html"
        }
    }
}
