import ArgumentParser
import Foundation
import Models
import Tensor

extension Bench {
    /// `fashion bench step`: a training step's time per op (`StepProfile`).
    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Profile a ResNet-18 training step: time per op (each convolution by shape, batch norm, ReLU, add, pooling, loss), optimiser and zeroing, forward and backward.")

        /// `--stem`.
        enum StemOption: String, ExpressibleByArgument, CaseIterable { case imagenet, compact, small }
        /// `--optimizer`.
        enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable { case adam, sgd }

        @Option(help: "Image side.") var size = 224
        @Option(help: "Images per step.") var batch = 16
        @Option(help: "Input channels (1: grey, 3: RGB).") var channels = 3
        @Option(help: "Classes.") var classes = 31
        @Option(help: "Stem: imagenet (K-Fashion's), compact or small (Fashion-MNIST's).") var stem: StemOption = .imagenet
        @Option(help: "Optimiser: adam (K-Fashion's) or sgd with momentum 0.9 (the few-shot backbones').") var optimizer: OptimizerChoice = .adam
        @Option(help: "Timed steps (after one warm-up).") var steps = 3
        @Option(help: "Rows of the per-op table (0: all).") var top = 25
        @OptionGroup var kernelOptions: KernelOptions
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard (8...1024).contains(size), batch > 0, channels > 0, classes > 1, steps > 0 else {
                throw ValidationError("--size 8…1024, --batch, --channels, --steps ≥ 1, --classes ≥ 2")
            }
        }

        func run() throws {
            kernelOptions.apply()
            var profile = StepProfile()
            profile.imageSize = size; profile.batch = batch; profile.inputChannels = channels; profile.classes = classes
            profile.stem = ResNet18.Stem(rawValue: stem.rawValue) ?? .imagenet
            profile.adam = optimizer == .adam
            profile.steps = steps
            let r = profile.run()
            if json { try Bench.printJSON(r); return }
            print(StepProfileTable.render(r, top: top))
        }
    }
}

/// Text rendering of a ``StepProfile`` report.
enum StepProfileTable {
    static func render(_ r: StepProfile.Report, top: Int) -> String {
        func line(_ row: StepProfile.Row, width: Int) -> String {
            row.op.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: " %5d %9.2f %9.2f %9.2f %6.1f%%", row.calls, row.forward_ms, row.backward_ms,
                         row.forward_ms + row.backward_ms, 100 * row.share)
        }
        let header = " calls   fwd ms    bwd ms  total ms   share"
        var lines = [String(format: "ResNet-18 training step, %@ stem, %d×%d, batch %d, %@, %d threads: %.1f ms a step, %.1f images/s (mean of %d steps)",
                            r.stem, r.image_size, r.image_size, r.batch, r.optimizer, r.threads, r.step_ms, r.images_per_second, r.steps), "",
                     "family".padding(toLength: 24, withPad: " ", startingAt: 0) + header]
        lines += r.families.map { line($0, width: 24) }
        lines.append(String(format: "%@ %48.2f %6.1f%%", "unattributed".padding(toLength: 24, withPad: " ", startingAt: 0),
                            r.unattributed_ms, 100 * r.unattributed_ms / r.step_ms))
        lines += ["", "op".padding(toLength: 44, withPad: " ", startingAt: 0) + header]
        lines += (top > 0 ? Array(r.ops.prefix(top)) : r.ops).map { line($0, width: 44) }
        return lines.joined(separator: "\n")
    }
}
