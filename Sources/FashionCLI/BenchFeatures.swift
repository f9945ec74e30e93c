import ArgumentParser
import Foundation
import Models
import Recommender
import Tensor

extension Bench {
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
}
