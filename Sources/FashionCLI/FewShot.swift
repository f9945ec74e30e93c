import ArgumentParser
import Dataset
import Foundation
import Tensor
import Models

/// The paper: VAE latent sampling against class imbalance, its generalised few-shot protocol.
struct FewShot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fewshot",
        abstract: "The paper's protocol (Fashion-MNIST or the K-Fashion photos): per draw of 5 minority classes and n_f, a backbone from scratch, then backbone / oversampling ×30, ×50 / VAE sampling ×30, ×50; resumable.")

    /// `--dataset`: a typo is an error listing the choices.
    enum DataSet: String, ExpressibleByArgument, CaseIterable { case fashionMNIST = "fashion-mnist", kfashion }
    @Option(help: "Data set: fashion-mnist or kfashion.") var dataset: DataSet = .fashionMNIST
    @Option(help: "Fashion-MNIST's folder (gzip or plain IDX files, torchvision's or Kaggle's layout; default \(FashionMNIST.defaultDirectory)), or the K-Fashion root (default data/kfashion).") var data: String?
    @Option(help: "K-Fashion: prepared photos (`fashion prepare` output); prepared here first when missing.") var prepared = "data/prepared"
    @Option(help: "K-Fashion: image side of the backbone.") var imageSize = 64
    @Option(help: "Training images kept by each minority class, comma-separated positive integers (default 5,10,30,50; --quick: 10,50).") var nf: PositiveIntegers?
    @Option(help: "Draws of the 5 minority classes (default 3; --quick: 2).") var draws: Int?
    @Option(help: "Training images kept per majority class (default all 6,000).") var majorityPerClass: Int?
    @Option(help: "Test images (default all 10,000).") var testLimit: Int?
    @Option(help: "Backbone epochs, OneCycle SGD at peak --lr (default 4; --quick: 3).") var backboneEpochs: Int?
    @Option(help: "Backbone peak learning rate.") var lr = 0.05
    @Option(help: "Backbone batch size (default 128; --quick: 32).") var batchSize: Int?
    @Option(help: "VAE epochs (β +5.6e-6 an epoch up to epoch 90).") var vaeEpochs = 100
    @Option(help: "β's rise per VAE epoch (the paper: 5.6e-6).") var betaStep: Float = 5.6e-6
    @Option(help: "The VAE epoch from which β stays constant (the paper: 90).") var betaLastEpoch = 90
    @Option(help: "s in z = μ + s·σ·ε for the classifier's training draws (the paper: 1).") var latentScale: Float = 1
    @Option(help: "Minority sampling ratios, comma-separated positive integers (the paper: 30,50).") var ratios = PositiveIntegers([30, 50])
    @Option(help: "Test images the backbone's per-epoch check uses (default 1,000; --quick: 250); it only logs, the last epoch is kept whatever it says, and features and scores always use the whole test set.") var monitorLimit: Int?
    @Option(help: "Folder of cached backbones and features (default: --out); a variant of the evaluation can reuse another run's.") var backbones: String?
    @Flag(help: "The quick setting (defaults of the other flags): 300 images per majority class, 2,000 test images, 3 backbone epochs at batch 32 (each checked on 250 test images), 2 draws of n_f 10 and 50 (~6 minutes).") var quick = false
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(name: [.customLong("out"), .customLong("output")], help: "Output folder (per-cell backbones and cell.json, table.md, table.json, cells.json, log.txt).") var out = "runs/fewshot"

    /// Every number checked before any work (a bad one used to surface after the backbones trained).
    func validate() throws {
        if let draws, draws < 1 { throw ValidationError("--draws: 1 or more") }
        if let backboneEpochs, backboneEpochs < 1 { throw ValidationError("--backbone-epochs: 1 or more") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size: a positive integer") }
        if let majorityPerClass, majorityPerClass < 1 { throw ValidationError("--majority-per-class: 1 or more") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit: 1 or more") }
        if let monitorLimit, monitorLimit < 0 { throw ValidationError("--monitor-limit: 0 or more") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr: a positive number") }
        guard vaeEpochs >= 0 else { throw ValidationError("--vae-epochs: 0 or more") }
        guard (8...1024).contains(imageSize) else { throw ValidationError("--image-size: 8…1024") }
        guard latentScale > 0, latentScale.isFinite else { throw ValidationError("--latent-scale: a positive number") }
        guard betaStep >= 0, betaStep.isFinite, betaLastEpoch >= 0 else { throw ValidationError("--beta-step ≥ 0 and --beta-last-epoch ≥ 0") }
    }

    func run() throws {
        // The quick or the paper's setting, each flag given overriding it.
        var options = quick ? FewShotProtocol.Options.quick : FewShotProtocol.Options()
        if let nf { options.shots = nf.values }
        if let draws { options.draws = draws }
        if let majorityPerClass { options.majorityPerClass = majorityPerClass }
        if let testLimit { options.testLimit = testLimit }
        if let backboneEpochs { options.backboneEpochs = backboneEpochs }
        if let batchSize { options.batchSize = batchSize }
        if let monitorLimit { options.monitorLimit = monitorLimit }
        options.backboneLearningRate = lr
        options.seed = seed
        options.evaluation.ratios = ratios.values
        options.evaluation.latentScale = latentScale
        options.evaluation.beta = FeatureVAE.BetaSchedule(step: betaStep, lastEpoch: betaLastEpoch)
        options.evaluation.vaeEpochs = vaeEpochs
        let folder = URL(fileURLWithPath: out)
        // Under mpirun the cells are dealt over the ranks; rank 0 owns the folder and the table.
        let world = try World.join()
        if world.isRoot { try OutputFolder.create(folder, option: "--out", lock: true) }
        let log = world.isRoot ? try LineLog(appendingTo: folder.appendingPathComponent("log.txt")).callAsFunction : { _ in }
        let started = Date()
        let backboneFolder = backbones.map { URL(fileURLWithPath: $0) }
        let runner = FewShotProtocol(options: options, directory: folder, backbones: backboneFolder)
        let cells: [FewShotProtocol.Cell]
        if dataset == .kfashion {
            cells = try runner.run(source: try kfashionSource(folder: folder, world: world), communicator: world, log: log)
        } else {
            let directory = data ?? FashionMNIST.defaultDirectory
            let train = try FashionMNIST(split: .train, directory: directory), test = try FashionMNIST(split: .test, directory: directory)
            if world.isRoot {
                for (split, set) in [(FashionMNIST.Split.train, train), (.test, test)] {
                    FashionMNISTDataNote.report(set, split: split, path: try FashionMNISTFiles.locate(split: split, in: directory).imagesPath)
                }
            }
            cells = try runner.run(source: FashionMNISTFewShotSource(train: train, test: test, testLimit: options.testLimit, seed: options.seed),
                                   communicator: world, log: log)
        }
        guard world.isRoot else { return World.finish(world) }
        defer { World.finish(world) }
        let md = try FewShotProtocol.writeResults(
            cells, title: "The paper's protocol on \(dataset == .kfashion ? "the K-Fashion photos" : "Fashion-MNIST")", to: folder)
        print(md)
        print(String(format: "wrote table.md, table.json, cells.json, log.txt in %@ (%.0f s this run)", out, Date().timeIntervalSince(started)))
    }

    /// The prepared K-Fashion photos at `--image-size` (prepared first when missing), training and validation caches.
    func kfashionSource(folder: URL, world: Communicator) throws -> KFashionFewShotSource {
        let dataOptions = try DataOptions.parse(["--data", data ?? "data/kfashion"])
        if !world.isRoot { try world.barrier() }   // rank 0 prepares and caches first
        if world.isRoot { try dataOptions.ensurePrepared(prepared, size: imageSize, anySize: true) }
        let caches = try PreparedCaches(prepared: URL(fileURLWithPath: prepared), size: imageSize)
        if world.isRoot {
            try world.barrier()
            try SkippedReport.note(caches.skipped, folder: folder)
        }
        print("K-Fashion: \(caches.encoder.count) classes, \(caches.training.count) training and \(caches.validation.count) validation photos at \(imageSize) px")
        return KFashionFewShotSource(caches)
    }
}
