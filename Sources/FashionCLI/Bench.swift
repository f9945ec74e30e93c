import ArgumentParser
import Foundation
import Models
import Tensor

/// `fashion bench …`: speed measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernels and training throughput.", subcommands: [Kernels.self])

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

        @Option(help: "Threads for every kernel (default: all cores).")
        var threads: Int?

        func run() throws {
            if let threads { Threading.configure(threads: threads) }
            var bench = KernelBenchmark()
            bench.trainBatches = trainBatch
            bench.trainSteps = steps
            let report = bench.run { line in if !json { FileHandle.standardError.write(Data(("… " + line + "\n").utf8)) } }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
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
        var lines = ["sgemm 1024³: \(f(r.sgemm_gflops)) GFLOP/s   (threads: \(r.threads))", "",
                     "ResNet-18 convolutions, batch \(r.conv_batch), \(r.image_size)×\(r.image_size) input — GFLOP/s (% of sgemm)",
                     "layer                         k/s  ×   forward         input grad      weight grad"]
        for l in r.layers {
            func cell(_ g: Double) -> String { "\(f(g, 6)) (\(String(format: "%3.0f", 100 * g / r.sgemm_gflops))%)" }
            lines.append("\(l.name.padding(toLength: 28, withPad: " ", startingAt: 0))  \(l.kernel)/\(l.stride)  \(l.count)  \(cell(l.fwd_gflops))   \(cell(l.bwd_input_gflops))   \(cell(l.bwd_weight_gflops))")
        }
        lines.append("")
        for t in r.train {
            lines.append("ResNet-18 training step (forward, cross-entropy, backward, Adam), batch \(t.batch): \(f(t.images_per_second, 5)) images/s, \(f(t.step_seconds, 5)) s/step, peak RSS \(t.peak_rss_bytes / 1_048_576) MiB")
        }
        return lines.joined(separator: "\n")
    }
}
