import ArgumentParser
import Dataset
import FashionBase
import Foundation
import Models
import Tensor

extension Bench {
    /// `fashion bench data-parallel`: training steps of a whole batch shared by every MPI rank
    /// (each computes batch/N images, then the rank-ordered sum of gradients and statistics),
    /// timed as the job's images a second. One process (no mpirun) times the plain step of the
    /// whole batch: the figure to compare with.
    struct DataParallelSteps: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data-parallel",
            abstract: "Time ResNet-18 training steps with the batch shared over the MPI ranks (run under mpirun; alone: the plain one-process step).")

        @Option(help: "Image side.") var size = 224
        @Option(help: "Images of a whole batch (all ranks together).") var batch = 32
        @Option(help: "Classes.") var classes = 31
        @Option(help: "Timed steps (after one warm-up).") var steps = 3
        @OptionGroup var kernelOptions: KernelOptions

        func validate() throws {
            guard (32...1024).contains(size), batch > 0, classes > 1, steps > 0 else {
                throw ValidationError("--size 32…1024, --batch and --steps ≥ 1, --classes ≥ 2")
            }
        }

        func run() throws {
            kernelOptions.apply()
            let world = try World.join()
            let parallel = DataParallel(communicator: world)
            if let why = parallel.problem(batchSize: batch) { throw ValidationError(why) }
            let share = batch / world.size
            let model = ResNet18(classes: classes, inputChannels: 3, stem: .imagenet, seed: 1)
            let optimizer = Adam(model.parameters, learningRate: 1e-4)
            var g = RandomGenerator(seed: 100 + UInt64(world.rank))
            let batches = (0...steps).map { _ -> LabelledBatch in
                let images = Tensor(shape: [share, 3, size, size], scalars: (0..<(share * 3 * size * size)).map { _ in g.uniform(-1, 1) })
                var b = LabelledBatch(images: images, labels: (0..<share).map { _ in Int(g.next() % UInt64(classes)) })
                b.offsetInWhole = world.rank * share; b.wholeCount = batch
                return b
            }
            var marks: [UInt64] = []
            try world.barrier()
            _ = try ClassifierEpoch.train(model, optimizer: optimizer, batches: batches, parallel: parallel, batchSize: batch) { _, _ in
                marks.append(DispatchTime.now().uptimeNanoseconds)
            }
            let seconds = Double(marks[marks.count - 1] - marks[0]) / 1e9 / Double(steps)
            print(String(format: "ResNet-18 training at %d×%d, batch %d over %d rank%@ × %d thread%@ (%d images a rank): %.0f ms a step, %.1f images/s (mean of %d steps after a warm-up)",
                         size, size, batch, world.size, world.size == 1 ? "" : "s", Threading.coreCount,
                         Threading.coreCount == 1 ? "" : "s", share, 1000 * seconds, Double(batch) / seconds, steps))
            World.finish(world)
        }
    }
}
