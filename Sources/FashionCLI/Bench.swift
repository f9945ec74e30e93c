import ArgumentParser
import Foundation
import Models
import Recommender
import Tensor

/// `fashion bench …`: speed measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernels, training throughput and preference scoring.", subcommands: [Kernels.self, Step.self, Recommend.self, Features.self])

    /// `fashion bench features`: mission 3-2's feature extraction throughput.
    struct Features: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time ResNet-18 feature extraction (eval mode, no gradient tape, fc → identity) on random images.")

        @Option(help: "Images per forward pass.") var batch = 32
        @Option(help: "Image side.") var size = 224
        @Option(help: "Timed batches (after one warm-up).") var batches = 8
        @OptionGroup var kernelOptions: KernelOptions
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard batch >= 1, batches >= 1, (8...1024).contains(size) else { throw ValidationError("--batch and --batches ≥ 1, --size 8…1024") }
        }

        func run() throws {
            kernelOptions.apply()
            let model = ResNet18(classes: 31, stem: .imagenet, initialization: .kaimingUniform, seed: 42)
            model.eval()
            var g = RandomGenerator(seed: 1)
            let x = Tensor(shape: [batch, 3, size, size], scalars: (0..<(batch * 3 * size * size)).map { _ in g.normal() })
            _ = withNoGrad { model.features(x) }
            let start = Date()
            for _ in 0..<batches { _ = withNoGrad { model.features(x) } }
            let seconds = Date().timeIntervalSince(start)
            let rate = Double(batch * batches) / seconds
            let rss = ProcessMemory.peakResidentBytes() ?? 0
            if json {
                print("{\"batch\": \(batch), \"size\": \(size), \"images_per_second\": \(rate), \"peak_rss_bytes\": \(rss), \"threads\": \(Threading.coreCount)}")
            } else {
                print(String(format: "ResNet-18 features, batch %d, %d×%d, eval, no tape: %.1f images/s (%.3f s a batch), peak RSS %d MiB, %d threads",
                             batch, size, size, rate, seconds / Double(batches), rss / 1_048_576, Threading.coreCount))
            }
        }
    }

    /// Prints `value` as one line of JSON with sorted keys.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONStyle.encoder(pretty: false)
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// `fashion bench recommend`: missions 3-1/3-2's scoring on a large made-up answer set.
    struct Recommend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time every scoring method, leave-one-out choices and metrics over made-up answers (default 250,000) and 5,021 × 512 features.")

        @Option(help: "Answers in all (a fifth are validation answers).") var answers = 250_000
        @Option(help: "Photos (feature rows).") var photos = 5021
        @Option(help: "Feature dimension.") var dimension = 512
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard answers >= 1, photos >= 1, dimension >= 1 else { throw ValidationError("--answers, --photos and --dimension ≥ 1") }
        }

        func run() throws {
            var bench = RecommenderBenchmark()
            bench.answers = answers; bench.photos = photos; bench.dimension = dimension
            let r = try bench.run()
            if json {
                try Bench.printJSON(r)
            } else {
                print(String(format: "%d training + %d validation answers of %d respondents, %d photos × %d: every method, leave-one-out choices and metrics in %.3f s (the seed's item scores alone %.3f s); item AUC %.3f; %d threads",
                             r.training_answers, r.validation_answers, r.respondents, r.photos, r.dimension, r.seconds,
                             r.item_validation_seconds, r.item_auc ?? .nan, r.threads))
            }
        }
    }

    /// `fashion bench kernels`: conv kernels on ResNet-18's shapes, sgemm, training steps.
    struct Kernels: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time ResNet-18's convolutions (forward, input and weight gradients), sgemm 1024³, and whole training steps.")

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        @Option(help: "Batch sizes of the training-step measurement.")
        var trainBatch: [Int] = [16, 32]

        @Option(help: "Timed training steps per batch size (after one warm-up).")
        var steps = 3

        @Option(help: "Timed runs of each kernel (after one warm-up): the best counts; a downsample's as-run row takes the median of twice as many paired differences.")
        var repetitions = 3

        @Option(help: "Measure only the convolutions whose name contains this text (e.g. downsample).")
        var only: String?

        @Flag(help: "Skip the training-step measurement.")
        var skipTraining = false

        @OptionGroup var kernelOptions: KernelOptions

        func validate() throws {
            guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
            guard steps >= 1, trainBatch.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--steps and every --train-batch ≥ 1") }
            if let only, !KernelBenchmark.resnet18Convolutions.contains(where: { $0.name.contains(only) }) {
                let names = KernelBenchmark.resnet18Convolutions.map(\.name).joined(separator: ", ")
                throw ValidationError("--only \(only) names no convolution; they are: \(names)")
            }
        }

        func run() throws {
            kernelOptions.apply()
            var bench = KernelBenchmark()
            bench.repetitions = repetitions
            bench.layerFilter = only
            bench.trainBatches = skipTraining ? [] : trainBatch
            bench.trainSteps = steps
            let report = bench.run { line in if !json { FileHandle.standardError.write(Data(("… " + line + "\n").utf8)) } }
            if json {
                try Bench.printJSON(report)
            } else {
                print(BenchmarkTable.render(report))
            }
        }
    }
}

/// Text rendering of a kernel benchmark report.
enum BenchmarkTable {
    static func render(_ r: KernelBenchmark.Report) -> String {
        func f(_ x: Double, _ w: Int = 7) -> String { String(format: "%\(w).1f", x) }
        var lines = ["sgemm 1024³: \(f(r.sgemm_gflops)) GFLOP/s   (threads: \(r.threads), OpenBLAS kernels: \(r.blas_core ?? "unknown"), convolution: \(r.conv_settings ?? "unknown"))", "",
                     "ResNet-18 convolutions, batch \(r.conv_batch), \(r.image_size)×\(r.image_size) input — GFLOP/s (% of sgemm)",
                     "layer                         k/s  ×   forward         input grad      weight grad     sgemm then  plan"]
        for l in r.layers {
            let yardstick = l.sgemm_gflops > 0 ? l.sgemm_gflops : r.sgemm_gflops
            func cell(_ g: Double) -> String { "\(f(g, 6)) (\(String(format: "%3.0f", 100 * g / yardstick))%)" }
            lines.append("\(l.name.padding(toLength: 28, withPad: " ", startingAt: 0))  \(l.kernel)/\(l.stride)  \(l.count)  \(cell(l.fwd_gflops))   \(cell(l.bwd_input_gflops))   \(cell(l.bwd_weight_gflops))   \(f(yardstick, 5))  \(l.plan ?? "")")
        }
        lines.append("")
        for t in r.train {
            lines.append("ResNet-18 training step (forward, cross-entropy, backward, Adam), batch \(t.batch): \(f(t.images_per_second, 5)) images/s, \(f(t.step_seconds, 5)) s/step, peak RSS \(t.peak_rss_bytes / 1_048_576) MiB")
        }
        return lines.joined(separator: "\n")
    }
}
