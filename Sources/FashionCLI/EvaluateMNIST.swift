import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor

/// A Fashion-MNIST checkpoint on the test set (``FashionMNISTEvaluation``).
struct EvaluateMNIST: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-mnist",
        abstract: "Evaluate a Fashion-MNIST checkpoint on the test set (or a run's validation split), optionally with test-time augmentation (flips, shifts).")

    @Option(help: "Checkpoint written by `fashion train-mnist` (best.safetensors, last.safetensors or ema.safetensors).") var checkpoint: String
    @Option(name: [.customLong("out"), .customLong("output")], help: "Folder for evaluation.md, evaluation.json, predictions.csv and samples.png.")
    var out = "runs/fashion-mnist-evaluation"
    @Flag(help: "Test-time augmentation: the mean of the logits of each image and its mirror image.") var tta = false
    @Flag(help: "Test-time augmentation: half the logits of each image, a quarter each of those of the image shifted one pixel down-right and up-left (reflect padding); with --tta, airbench's tta_level=2.")
    var ttaShifts = false
    @Option(help: ArgumentHelp("Evaluate on the validation split of a `train-mnist --validation n --seed s` run instead of the test set (0: the test set).", valueName: "n"))
    var validation = 0
    @Option(help: "The run's seed (for --validation).") var seed: UInt64 = 42
    @Option(help: "Evaluate on only the first this many test images.") var testLimit: Int?
    @Option(help: "Sample predictions on samples.png (0: none).") var samples = 24
    @Option(help: "Folder of Fashion-MNIST: Debian's gzip IDX files, the same decompressed, torchvision's root or raw folder, or Kaggle's CSV files.") var data = FashionMNIST.defaultDirectory
    @OptionGroup var kernelOptions: KernelOptions

    func validate() throws {
        guard samples >= 0 else { throw ValidationError("--samples must be 0 or more") }
        guard (0..<60_000).contains(validation) else { throw ValidationError("--validation \(validation): 0 to 59,999 of Fashion-MNIST's 60,000 training images") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be 1 or more") }
    }

    func run() throws {
        kernelOptions.apply()
        var job = FashionMNISTEvaluation(checkpoint: URL(fileURLWithPath: checkpoint), folder: URL(fileURLWithPath: out))
        job.data = data; job.flip = tta; job.shifts = ttaShifts; job.validation = validation; job.seed = seed; job.testLimit = testLimit
        job.samples = samples; job.precision = kernelOptions.precision ?? .fp32
        // Found before the output folder is made: a wrong --data leaves nothing behind.
        let files = try FashionMNISTFiles.locate(split: validation > 0 ? .train : .test, in: data)
        try OutputFolder.create(URL(fileURLWithPath: out), option: "--out", lock: true)
        print("Fashion-MNIST: \(files.imagesPath)")
        try FashionMNISTDataNote.check(split: validation > 0 ? .train : .test, directory: data, path: files.imagesPath)
        let evaluation: Evaluation
        do { evaluation = try job.run() } catch let e as PredictorError { throw ValidationError(e.reason) }
        print(String(format: "accuracy %.2f%% (%d of %d)%@", 100 * evaluation.accuracy, evaluation.correct, evaluation.examples,
                     tta ? (ttaShifts ? " with flips and shifts" : " with flips") : (ttaShifts ? " with shifts" : "")))
        print("wrote \(out)/evaluation.md, evaluation.json, predictions.csv\(samples > 0 ? ", samples.png" : "")")
    }
}
