import TestSupport
import Dataset
import Foundation
import Testing
import Tensor
import Vision
@testable import Models

/// The library's mission 1-2 path end to end on a tiny generated set: a training run that
/// prepares, trains one epoch and evaluates; the checkpoint's metadata; the predictor
/// preparing a raw photo as the model's photos were; a later evaluation agreeing with the run's.
@Suite struct KFashionTrainingRunTests {
    @Test func trainEvaluatePredict() throws {
        let root = TemporaryFolder.name("kf-run")
        defer { try? FileManager.default.removeItem(at: root) }
        try TinyKFashion.generate(into: root.appendingPathComponent("kfashion"), width: 40)

        var run = KFashionTrainingRun(prepared: root.appendingPathComponent("prepared"), folder: root.appendingPathComponent("run"))
        run.tree = try KFashionTree(root: root.appendingPathComponent("kfashion"))
        run.preparation = .alreadyWhite
        run.preset = KFashionData.Preset(name: "test", imageSize: 24, batchSize: 16, augment: false, target: 0,
                                         weightedSampler: false, freshAugmentation: false)
        run.epochs = 1
        run.samples = 4
        // Photos prepared at 32 px beforehand (`fashion prepare`), trained on at 24: the run keeps
        // the folder (this tree's) and the checkpoint records the chain.
        _ = try PreparedSet(tree: try #require(run.tree), output: run.prepared, preparer: PhotoPreparer(size: 32, background: .alreadyWhite)).run()
        var prepared = 0, epochs = 0
        var ready: (Int, Int, Int, Int)?
        let outcome = try run.run { event in
            switch event {
            case .preparing: prepared += 1
            case .ready(let c, let t, let i, let v): ready = (c, t, i, v)
            case .trainer(.epoch): epochs += 1
            default: break
            }
        }
        #expect(prepared == 0, "a current preparation of this tree is used as it is")
        #expect(epochs == 1)
        #expect(outcome.finished)
        let (classes, photos, items, validation) = try #require(ready)
        #expect(items == photos)
        #expect(outcome.evaluation.classes.count == classes)
        #expect(outcome.evaluation.examples == validation)
        for name in ["best.safetensors", "evaluation.md", "evaluation.json", "per_class.csv", "predictions.csv", "samples.png", "skipped.csv"] {
            #expect(FileManager.default.fileExists(atPath: run.folder.appendingPathComponent(name).path), "\(name)")
        }
        let csv = try String(contentsOf: run.folder.appendingPathComponent("predictions.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == validation + 1)

        // The checkpoint says how its photos were prepared and which classes are minority.
        let (_, found) = try Checkpoint.load(contentsOf: outcome.bestCheckpoint)
        let metadata = try #require(found)
        #expect(metadata.preparation == "background=white margin=0.02")
        #expect(metadata.preparedSize == 32 && metadata.inputSize == 24)
        #expect(metadata.minorityClasses?.count == outcome.minority.count)

        // A later evaluation of the checkpoint agrees with the run's.
        var job = CheckpointEvaluation(checkpoint: outcome.bestCheckpoint, prepared: run.prepared, folder: root.appendingPathComponent("eval"))
        job.samples = 0
        let again = try job.run()
        #expect(again.evaluation.confusion == outcome.evaluation.confusion)
        #expect(again.minority == outcome.minority)
        #expect(again.minorityNote == nil)

        // The predictor prepares a raw photo as the training photos were: the same as predicting
        // on the photo prepared by hand; its top classes are ranked with probabilities that add up.
        let predictor = try Predictor(checkpoint: outcome.bestCheckpoint)
        let photoFolder = root.appendingPathComponent("kfashion/validation_image")
        let photo = try #require(try DirectoryListing.fileNames(in: photoFolder).sorted().first)
        let url = photoFolder.appendingPathComponent(photo)
        let asTrained = try predictor.predict(contentsOf: url, top: classes)
        let byHand = PhotoPreparer(size: 32, background: .alreadyWhite).prepare
        let stored = try PreparedPhoto.modelImage(prepared: try byHand(url).image, size: 24)
        let manual = predictor.predict(inputs: [predictor.input(prepared: stored)], top: classes)[0]
        #expect(asTrained == manual)
        // The same photo gives the same probabilities from the run's evaluation (predictions.csv,
        // six decimals) and `predict`: within 1e-5 (the file's rounding, 5e-7, plus a batch of one
        // against the run's batches, which the kernels may sum in another order).
        let row = try #require(csv.split(separator: "\n").first { $0.hasPrefix(photo + ",") }).split(separator: ",").map(String.init)
        #expect(row[2] == asTrained[0].className, "\(row) vs \(asTrained[0])")
        let p = try #require(Float(row[3]))
        #expect(abs(p - asTrained[0].probability) <= 1e-5, "predictions.csv \(p), predict \(asTrained[0].probability)")
        #expect(asTrained.count == classes)
        #expect(zip(asTrained, asTrained.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        #expect(abs(asTrained.reduce(0) { $0 + $1.probability } - 1) < 1e-4)
        let top2 = try predictor.predict(contentsOf: url, top: 2)
        #expect(top2 == Array(asTrained.prefix(2)))
    }

    @Test func aMissingPreparationIsNamed() throws {
        let root = TemporaryFolder.name("kf-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = KFashionTrainingRun(prepared: root.appendingPathComponent("prepared"), folder: root.appendingPathComponent("run"))
        #expect { _ = try run.run() } throws: { error in
            "\(error)".contains("prepared") && "\(error)".contains("normalization.json")
        }
    }

    @Test func predictorRefusesARecipeItCannotFollow() throws {
        let model = ResNet18(classes: 3, inputChannels: 3, stem: .small, initialization: .torchvision, seed: 1)
        var metadata = CheckpointMetadata(classes: ["a", "b", "c"], inputChannels: 3, inputSize: 8, stem: .small,
                                          mean: [0, 0, 0], std: [1, 1, 1])
        metadata.preparation = "background=masks margin=0.02"
        let predictor = Predictor(model: model, metadata: metadata)
        #expect(throws: PredictorError.self) { _ = try predictor.preparer(for: .asTrained) }
        #expect(try predictor.preparer(for: .padAndResize) == nil)
        // A grey image goes to a 3-channel model as three equal planes.
        let grey = Image(width: 5, height: 3, channels: 1, filledWith: 128)
        let input = predictor.input(prepared: grey)
        #expect(input.channels == 3 && input.height == 8 && input.width == 8)
    }
}
