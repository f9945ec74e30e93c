import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor

/// `fashion demo`: everything that exists so far, end to end, on the embedded default
/// data — the kernel benchmark summary and a short ResNet-18 run on Fashion-MNIST.
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

    func run() throws {
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
}
