import TestSupport
import Dataset
import Foundation
import Testing
import Tensor
@testable import Models

@Suite struct FashionMNISTEvaluationTests {
    /// A Fashion-MNIST folder of `train` and `test` images (IDX, uncompressed under the .gz names).
    static func dataFolder(train: Int, test: Int) throws -> URL {
        let dir = TemporaryFolder.name("fmnist-eval")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (split, n) in [("train", train), ("t10k", test)] {
            try Data(IDXBytes.header([n]) + (0..<n).map { UInt8($0 % 10) }).write(to: dir.appendingPathComponent("\(split)-labels-idx1-ubyte.gz"))
            try Data(IDXBytes.header([n, 28, 28]) + (0..<(n * 784)).map { UInt8(truncatingIfNeeded: $0 * 7) })
                .write(to: dir.appendingPathComponent("\(split)-images-idx3-ubyte.gz"))
        }
        return dir
    }

    static let metadata = CheckpointMetadata(classes: FashionMNIST.classNames, inputChannels: 1, inputSize: 28, stem: .compact,
                                             mean: [FashionMNISTData.mean], std: [FashionMNISTData.std])

    /// The checkpoint's predictions on the test set (or the validation split) are the model's
    /// own, with flips and shifts as ClassifierEpoch computes them; the files name the images.
    @Test func evaluatesTheTestSetOrTheValidationSplit() throws {
        let data = try Self.dataFolder(train: 30, test: 12), out = TemporaryFolder.name("fmnist-eval-out")
        defer { for f in [data, out] { try? FileManager.default.removeItem(at: f) } }
        let model = ResNet18(classes: 10, inputChannels: 1, stem: .compact, seed: 5)
        let checkpoint = out.appendingPathComponent("model.safetensors")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Checkpoint.save(model, metadata: Self.metadata, to: checkpoint)
        var job = FashionMNISTEvaluation(checkpoint: checkpoint, folder: out.appendingPathComponent("test"))
        job.data = data.path; job.samples = 0
        for (flip, shifts) in [(false, false), (true, false), (false, true), (true, true)] {
            job.flip = flip; job.shifts = shifts
            let evaluation = try job.run()
            let source = FashionMNISTData(train: try FashionMNIST(split: .train, directory: data.path),
                                          test: try FashionMNIST(split: .test, directory: data.path), augment: false)
            let expected = ClassifierEpoch.predictTopK(model, batches: source.testBatches(), k: 1, flip: flip, shifts: shifts)
            #expect(evaluation.examples == 12, "flip \(flip) shifts \(shifts)")
            #expect(evaluation == Evaluation(classes: FashionMNIST.classNames, truth: expected.truth, predictions: expected.top.map { $0[0].label }),
                    "flip \(flip) shifts \(shifts)")
        }
        job.flip = false; job.shifts = false
        job.validation = 10; job.seed = 3
        #expect(try job.run().examples == 10)
        let csv = try String(contentsOf: out.appendingPathComponent("test/predictions.csv"), encoding: .utf8)
        #expect(csv.contains("train/"))
    }

    /// The test set needs only the test split's files; a validation split only the training images.
    @Test func theTestSetAloneNeedsOnlyItsOwnFiles() throws {
        let data = try Self.dataFolder(train: 20, test: 7), out = TemporaryFolder.name("fmnist-eval-test-only")
        defer { for f in [data, out] { try? FileManager.default.removeItem(at: f) } }
        for kind in ["images-idx3", "labels-idx1"] { try FileManager.default.removeItem(at: data.appendingPathComponent("train-\(kind)-ubyte.gz")) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let checkpoint = out.appendingPathComponent("model.safetensors")
        try Checkpoint.save(ResNet18(classes: 10, inputChannels: 1, stem: .compact, seed: 5), metadata: Self.metadata, to: checkpoint)
        var job = FashionMNISTEvaluation(checkpoint: checkpoint, folder: out.appendingPathComponent("test"))
        job.data = data.path; job.samples = 0
        #expect(try job.run().examples == 7)
        job.validation = 5
        #expect(throws: FashionMNISTError.noSplit(directory: data.path, split: .train)) { try job.run() }
        // …and a validation split only the training images.
        let other = try Self.dataFolder(train: 20, test: 7)
        defer { try? FileManager.default.removeItem(at: other) }
        for kind in ["images-idx3", "labels-idx1"] { try FileManager.default.removeItem(at: other.appendingPathComponent("t10k-\(kind)-ubyte.gz")) }
        job.data = other.path
        #expect(try job.run().examples == 5)
    }

    @Test func refusesModelsThatAreNotFashionMNISTs() {
        var kfashion = Self.metadata
        kfashion.inputChannels = 3; kfashion.inputSize = 224
        #expect { try FashionMNISTEvaluation.metadata(of: URL(fileURLWithPath: "k.safetensors"), kfashion) } throws: { "\($0)".contains("K-Fashion checkpoint") }
        var other = Self.metadata
        other.mean = [0.5]
        #expect { try FashionMNISTEvaluation.metadata(of: URL(fileURLWithPath: "m.safetensors"), other) } throws: { "\($0)".contains("normalised") }
        #expect { try FashionMNISTEvaluation.metadata(of: URL(fileURLWithPath: "x.safetensors"), nil) } throws: { "\($0)".contains("no class list") }
    }

    /// A finished run with a validation split, a weight average, flips and shifts writes the last
    /// epoch's validation figures for every choice of the three (`validation_variants.json`,
    /// with a `shifts` column); the one with all three is the epoch's own record.
    @Test func finishedRunWritesEveryEvaluationVariant() throws {
        let data = try Self.dataFolder(train: 40, test: 8), out = TemporaryFolder.name("fmnist-variants")
        defer { for f in [data, out] { try? FileManager.default.removeItem(at: f) } }
        var run = FashionMNISTTrainingRun(folder: out)
        run.data = data.path; run.epochs = 1; run.batchSize = 16; run.validation = 10; run.samples = 0
        run.averageDecay = 0.9; run.testTimeFlip = true; run.testTimeShifts = true
        let outcome = try run.run()
        #expect(outcome.variants.count == 8)
        let keys = Set(outcome.variants.map { "\($0.weights) \($0.flip) \($0.shifts)" })
        #expect(keys.count == 8)
        let own = outcome.variants.first { $0.weights == "average" && $0.flip && $0.shifts }
        #expect(own?.accuracy == outcome.records.last?.validationAccuracy && own?.loss == outcome.records.last?.validationLoss)
        let json = try String(contentsOf: out.appendingPathComponent("validation_variants.json"), encoding: .utf8)
        #expect(json.contains("\"shifts\" : false") && json.contains("\"shifts\" : true"))
    }
}
