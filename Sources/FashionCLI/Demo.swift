import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// `fashion demo`: everything that exists so far, end to end, on the embedded default data —
/// a generated K-Fashion look-alike set (missions 1-1, 2-1, 2-2, the photo preparation of
/// 1-2 and one epoch of its training with evaluation, the preference prediction of 3-1/3-2
/// over that model's features), the kernel benchmark summary, a short ResNet-18 run on
/// Fashion-MNIST, and the paper's few-shot protocol in its quick setting.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every step that exists on the embedded default data (minutes on two cores).")

    @Option(help: "Fashion-MNIST training images used by the short run.")
    var trainImages = 3000

    @Option(help: "Per-class augmentation target of the short K-Fashion training run.")
    var kfashionTarget = 100

    @Option(help: "Directory of Fashion-MNIST's gzip IDX files.")
    var fashionMNIST = FashionMNIST.defaultDirectory

    @Flag(help: "Skip the kernel benchmark.")
    var skipBench = false

    @Option(name: [.customLong("out"), .customLong("output")], help: "Folder for the generated set and every report.")
    var out = "demo-output"

    @Option(help: "Side of the prepared photos.")
    var prepareSize = 112

    @Option(help: "Draws of the few-shot protocol's quick setting (its own default is 2; the demo runs the first, and `fashion fewshot --quick --out DEMO/runs/fewshot` adds the second, reusing the first's cells).")
    var fewshotDraws = 1

    func validate() throws {
        guard fewshotDraws >= 1 else { throw ValidationError("--fewshot-draws: 1 or more") }
        guard trainImages >= 1, kfashionTarget >= 0, (8...1024).contains(prepareSize) else {
            throw ValidationError("--train-images ≥ 1, --kfashion-target ≥ 0, --prepare-size 8…1024")
        }
    }

    func run() throws {
        let steps = try self.steps()   // every later command line checked before any work
        try missions(prepare: steps.prepare)
        if !skipBench {
            print("== Kernel benchmark (ResNet-18 convolutions at 224×224, batch 16; training step at batch 16)")
            var bench = KernelBenchmark()
            bench.trainBatches = [16]
            bench.trainSteps = 1
            bench.repetitions = 1
            print(BenchmarkTable.render(bench.run()))
            print()
        }
        print("== Mission 1-2: ResNet-18 from scratch on the generated set (reduced preset, one epoch, \(kfashionTarget) a class)")
        try steps.train.run()
        print()
        print("== Missions 3-1/3-2: preference prediction over the trained ResNet-18's features (item, item-centroid, user, hybrid; autoencoder codes)")
        try steps.recommend.run()
        print()
        print("== ResNet-18 (compact stem) from scratch on Fashion-MNIST: \(trainImages) training images, one epoch, the 10,000 test images")
        try steps.mnist.run()
        print()
        print("== The paper: VAE latent sampling under its few-shot protocol, quick setting (Fashion-MNIST, \(fewshotDraws == 1 ? "its first draw" : "\(fewshotDraws) draws") × n_f 10 and 50)")
        try steps.fewshot.run()
        print("\nruns (checkpoints, log.jsonl, evaluation.md, confusion matrices, samples.png) in \(steps.runs.path)")
        print()
        print("== The report: every step above on one page")
        try steps.report.run()
        print("open \(URL(fileURLWithPath: out).appendingPathComponent("report.html").path) in a browser")
    }

    /// The commands the demo runs after missions 1-1 to 1-2's preparation, parsed as a user's
    /// command lines would be (a renamed flag fails `DemoTests`, not a demo half an hour in).
    func steps() throws -> (runs: URL, prepare: Prepare, train: Train, recommend: Recommend, mnist: TrainMNIST, fewshot: FewShot, report: Report) {
        let root = URL(fileURLWithPath: out)
        let runs = root.appendingPathComponent("runs")
        let data = root.appendingPathComponent("kfashion").path, prepared = root.appendingPathComponent("prepared").path
        let prepare = try Prepare.parse(["--data", data, "--out", prepared, "--size", String(prepareSize)])
        let train = try Train.parse(["--data", data, "--prepared", prepared, "--preset", "reduced", "--epochs", "1",
                                     "--target", String(kfashionTarget), "--out", runs.appendingPathComponent("kfashion").path, "--restart"])
        let recommend = try Recommend.parse(["--data", data, "--checkpoint", runs.appendingPathComponent("kfashion/best.safetensors").path,
                                             "--prepared", prepared, "--autoencoder", "--autoencoder-epochs", "50",
                                             "--out", runs.appendingPathComponent("recommend").path])
        let mnist = try TrainMNIST.parse(["--data", fashionMNIST, "--out", runs.appendingPathComponent("fashion-mnist").path,
                                          "--epochs", "1", "--limit", String(trainImages), "--optimizer", "sgd", "--lr", "0.05",
                                          "--schedule", "onecycle", "--crop-padding", "0", "--restart"])
        let fewshot = try FewShot.parse(["--data", fashionMNIST, "--quick", "--draws", String(fewshotDraws),
                                         "--out", runs.appendingPathComponent("fewshot").path])
        let report = try Report.parse(["--runs", out])
        return (runs, prepare, train, recommend, mnist, fewshot, report)
    }

    /// Missions 1-1, 2-1, 2-2 and the preparation of 1-2 on a generated set (made once, then reused):
    /// the library's ``SurveyJoin`` writes the reports, `prepare` the photos.
    func missions(prepare: Prepare) throws {
        let root = URL(fileURLWithPath: out)
        let data = root.appendingPathComponent("kfashion"), reports = root.appendingPathComponent("reports")
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
        let join = try SurveyJoin(tree: tree)
        print("\n== Mission 1-1: photos by gender and style")
        print(try join.images.report.rendered(as: .text))
        print("== Mission 2-1: labels whose photo exists (full-stem join)")
        for t in join.labels.report.totals { print("  \(t.name): \(TextTable.grouped(t.value))") }
        print("\n== Mission 2-2: preference table")
        print(try PreferenceReport(table: join.preferences, top: 10).rendered(as: .text))
        try join.writeMissionReports(to: reports, top: 100)

        print("== Mission 1-2, steps 1-3: preparing the photos at \(prepareSize)×\(prepareSize)")
        try prepare.run()
        print("\nreports in \(reports.path) (Markdown, CSV, JSON, HTML); prepared photos in \(root.appendingPathComponent("prepared").path)\n")
    }
}
