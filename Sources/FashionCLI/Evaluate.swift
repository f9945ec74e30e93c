import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Mission 1-2's evaluation of a checkpoint on the validation split (``CheckpointEvaluation``).
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a checkpoint on the validation photos: accuracy, per-class metrics, confusion matrix, acc_h, per-photo predictions, sample predictions.")

    @Option(help: "Checkpoint written by `fashion train` (its metadata gives classes, input size, preparation and normalisation).")
    var checkpoint: String
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Prepared photos (`fashion prepare` output); prepared here first, as the checkpoint's were, when missing.") var prepared = "data/prepared"
    @Option(name: [.customLong("out"), .customLong("output")], help: "Folder for evaluation.md, evaluation.json, predictions.csv and samples.png.") var out = "runs/evaluation"
    @Option(help: "Sample predictions on the contact sheet (0: none).") var samples = 24
    @Option(help: "Random seed for choosing the samples.") var seed: UInt64 = 42
    @OptionGroup var kernelOptions: KernelOptions

    func validate() throws {
        guard samples >= 0 else { throw ValidationError("--samples must be 0 or more") }
    }

    func run() throws {
        kernelOptions.apply()
        // Under mpirun every rank evaluates every N-th batch; rank 0 prepares, gathers and writes.
        let world = try World.join()
        let url = URL(fileURLWithPath: checkpoint)
        let metadata: CheckpointMetadata
        do { metadata = try CheckpointEvaluation.metadata(of: url, try Checkpoint.opened(url)) } catch let e as PredictorError {
            throw ValidationError(e.reason)
        }
        if !world.isRoot { try world.barrier() }
        if world.isRoot {
            try dataOptions.ensurePrepared(prepared, size: metadata.preparedSize ?? metadata.inputSize, recipe: metadata.preparation,
                                           anySize: metadata.preparedSize == nil, for: checkpoint)
            try OutputFolder.create(URL(fileURLWithPath: out), option: "--out", lock: true)
            try world.barrier()
        }
        var job = CheckpointEvaluation(checkpoint: url, prepared: URL(fileURLWithPath: prepared), folder: URL(fileURLWithPath: out))
        job.communicator = world
        job.samples = samples
        job.seed = seed
        let bar = TerminalProgress(total: 1, label: "evaluate: photos")
        let outcome = try job.run { bar.update($0, of: $1) }
        bar.finish()
        printError(SkippedFile.summary(outcome.skipped))
        if let note = outcome.minorityNote { printError((note + "\n")) }
        let evaluation = outcome.evaluation
        let h = evaluation.harmonicAccuracy(minority: outcome.minority)
        print(String(format: "accuracy %.2f%% (%d of %d); majority %.2f%%, minority %.2f%%, acc_h %.2f%%",
                     100 * evaluation.accuracy, evaluation.correct, evaluation.examples, 100 * h.majority, 100 * h.minority, 100 * h.harmonic))
        let ranked = evaluation.classesByAccuracy
        if let low = ranked.first, let high = ranked.last {
            print(String(format: "lowest %@ %.1f%%, highest %@ %.1f%%", low.name, 100 * low.accuracy, high.name, 100 * high.accuracy))
        }
        print("wrote \(out)/evaluation.md, evaluation.json, predictions.csv\(samples > 0 ? ", samples.png" : "")")
        World.finish(world)
    }
}
