import ArgumentParser
import Foundation
import Models
import Recommender
import Tensor

extension Bench {
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
            let report = bench.run { line in if !json { printError(("… " + line + "\n")) } }
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
