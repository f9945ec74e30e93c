import TestSupport
import Dataset
import Foundation
import Testing
import Tensor
import Vision
@testable import Models

/// The recipe's parts in the trainer: a weight average, test-time flips and parameter groups.
@Suite(.serialized) struct RecipeTrainingTests {
    func folder() -> URL { TemporaryFolder.name("recipe") }
    let metadata = CheckpointMetadata(classes: ["top", "bottom"], inputChannels: 1, inputSize: 4, stem: .small, mean: [0.5], std: [0.3])
    let configuration = TrainingConfiguration(epochs: 3, learningRate: 0.05, optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true),
                                              schedule: .oneCycle(epochs: 3, warmup: 0.3, div: 25, finalDiv: 1e4), labelSmoothing: 0.1, seed: 7,
                                              vectorWeightDecay: 0, vectorLearningRateScale: 2, averageDecay: 0.9, testTimeFlip: true,
                                              testTimeShifts: true)

    func model(_ seed: UInt64 = 3) -> ResNet18 { ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: seed) }
    func weights(_ url: URL) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try Safetensors.read(contentsOf: url).state.map { ($0.name, $0.tensor.scalars) })
    }

    /// A run with all three resumes (in parts, or after a kill at any step of its save) to the
    /// same records, weights and average, bit for bit; what it evaluates and keeps as best is
    /// the average, with flips and shifts.
    @Test func averagedRunResumesBitIdentically() throws {
        let data = StripesData(count: 16, seed: 1)
        let a = folder(), b = folder()
        defer { for f in [a, b] { try? FileManager.default.removeItem(at: f) } }
        let trainer = Trainer(model: model(), configuration: configuration, metadata: metadata, directory: a)
        let full = try trainer.run(data: data)
        let last = try weights(a.appendingPathComponent("last.safetensors")), average = try weights(a.appendingPathComponent("ema.safetensors"))
        #expect(last["conv1.weight"] != average["conv1.weight"])
        // The record's accuracy is the average's, evaluated with flips and shifts.
        let evaluated = model(50)
        try evaluated.load(Checkpoint.load(contentsOf: a.appendingPathComponent("ema.safetensors")).0.stateDictionary())
        let flipped = ClassifierEpoch.evaluateAndPredict(evaluated, batches: data.validationBatches(), flip: true, shifts: true).summary
        #expect(flipped.accuracy == full[2].validationAccuracy && flipped.loss == full[2].validationLoss)
        if full[2].best { #expect(try weights(a.appendingPathComponent("best.safetensors")) == average) }
        #expect(trainer.average?.updates == 3 * data.trainingBatchCount)

        _ = try Trainer(model: model(), configuration: configuration, metadata: metadata, directory: b).run(data: data, epochLimit: 2)
        let rest = try Trainer(model: model(99), configuration: configuration, metadata: metadata, directory: b).run(data: data)
        #expect(rest.map(\.trainLoss) == full.map(\.trainLoss) && rest.map(\.validationLoss) == full.map(\.validationLoss))
        #expect(try weights(b.appendingPathComponent("ema.safetensors")) == average)
        #expect(try weights(b.appendingPathComponent("last.safetensors")) == last)

        // Killed after any step of the second epoch's save (of two, on fewer images).
        var two = configuration
        two.epochs = 2; two.schedule = .oneCycle(epochs: 2, warmup: 0.3, div: 25, finalDiv: 1e4)
        let small = StripesData(count: 8, seed: 2), reference = folder()
        defer { try? FileManager.default.removeItem(at: reference) }
        let uninterrupted = try Trainer(model: model(), configuration: two, metadata: metadata, directory: reference).run(data: small)
        let averageOfTwo = try weights(reference.appendingPathComponent("ema.safetensors"))
        for step in 1...9 {
            let c = folder()
            defer { try? FileManager.default.removeItem(at: c) }
            let crashing = Trainer(model: model(), configuration: two, metadata: metadata, directory: c)
            crashing.failAfterSaveStep = (epoch: 2, step: step)
            // 8 steps, 9 when the epoch is the best so far: past the last one, nothing is left to test.
            guard (try? crashing.run(data: small)) == nil else { #expect(step >= 8); break }
            let records = try Trainer(model: model(42), configuration: two, metadata: metadata, directory: c).run(data: small)
            #expect(records.map(\.trainLoss) == uninterrupted.map(\.trainLoss), "step \(step)")
            #expect(try weights(c.appendingPathComponent("ema.safetensors")) == averageOfTwo, "step \(step)")
        }
    }

    /// Each part is part of the run: another setting is refused on resume, naming it; files
    /// written without them read as runs without them.
    @Test func recipePartsArePartOfTheRun() throws {
        let data = StripesData(count: 8, seed: 1)
        let a = folder()
        defer { try? FileManager.default.removeItem(at: a) }
        var short = configuration
        short.epochs = 1; short.schedule = .constant
        _ = try Trainer(model: model(), configuration: short, metadata: metadata, directory: a).run(data: data)
        let changes: [(String, (inout TrainingConfiguration) -> Void)] = [
            ("weight average decay 0.9 → none", { $0.averageDecay = nil }),
            ("test-time flip true → false", { $0.testTimeFlip = false }),
            ("test-time shifts true → false", { $0.testTimeShifts = false }),
            ("weight decay of vectors 0.0 → none", { $0.vectorWeightDecay = nil }),
            ("learning-rate factor of vectors 2.0 → 1.0", { $0.vectorLearningRateScale = 1 }),
        ]
        for (phrase, change) in changes {
            var other = short
            change(&other)
            other.epochs = 2
            #expect { _ = try Trainer(model: model(), configuration: other, metadata: metadata, directory: a).run(data: data) } throws: {
                "\($0)".contains(phrase)
            }
        }
        // Without them a configuration is written as before they existed, and such a file reads back without them.
        let plain = try JSONStyle.encoder(pretty: false).encode(TrainingConfiguration(epochs: 1))
        let text = String(decoding: plain, as: UTF8.self)
        #expect(!text.contains("average") && !text.contains("flip") && !text.contains("shift") && !text.contains("vector"))
        let decoded = try JSONStyle.decoder().decode(TrainingConfiguration.self, from: plain)
        #expect(decoded.averageDecay == nil && !decoded.testTimeFlip && !decoded.testTimeShifts && decoded.vectorWeightDecay == nil && decoded.vectorLearningRateScale == 1)
        let full = try JSONStyle.decoder().decode(TrainingConfiguration.self, from: JSONStyle.encoder(pretty: false).encode(configuration))
        #expect(full == configuration)
    }

    /// Lookahead in the trainer: a run in parts ends on the same bits as one in one go (the slow
    /// weights travel in the optimiser's file), the setting is part of the run, and a run
    /// without it writes its configuration as before.
    @Test func lookaheadRunResumesBitIdentically() throws {
        let data = StripesData(count: 16, seed: 1)
        let a = folder(), b = folder(), c = folder()
        defer { for f in [a, b, c] { try? FileManager.default.removeItem(at: f) } }
        var withLookahead = configuration
        withLookahead.lookahead = .init(steps: 2, alpha: 0.5)
        let full = try Trainer(model: model(), configuration: withLookahead, metadata: metadata, directory: a).run(data: data)
        let last = try weights(a.appendingPathComponent("last.safetensors"))
        let optimizerFile = try Safetensors.read(contentsOf: a.appendingPathComponent("last.optimizer.safetensors"))
        #expect(optimizerFile.metadata["lookahead_step"] == String(3 * data.trainingBatchCount))
        #expect(optimizerFile.state["lookahead_slow.conv1.weight"] != nil)

        _ = try Trainer(model: model(), configuration: withLookahead, metadata: metadata, directory: b).run(data: data, epochLimit: 2)
        let rest = try Trainer(model: model(99), configuration: withLookahead, metadata: metadata, directory: b).run(data: data)
        #expect(rest.map(\.trainLoss) == full.map(\.trainLoss) && rest.map(\.validationLoss) == full.map(\.validationLoss))
        #expect(try weights(b.appendingPathComponent("last.safetensors")) == last)

        // Not the run without it; and it is refused on resume when changed.
        _ = try Trainer(model: model(), configuration: configuration, metadata: metadata, directory: c).run(data: data)
        #expect(try weights(c.appendingPathComponent("last.safetensors")) != last)
        var other = withLookahead
        other.lookahead = .init(steps: 3, alpha: 0.5)
        #expect { _ = try Trainer(model: model(), configuration: other, metadata: metadata, directory: b).run(data: data) } throws: {
            "\($0)".contains("lookahead k 2, alpha 0.5 → k 3, alpha 0.5")
        }
        let text = String(decoding: try JSONStyle.encoder(pretty: false).encode(configuration), as: UTF8.self)
        #expect(!text.contains("lookahead"))
        #expect(try JSONStyle.decoder().decode(TrainingConfiguration.self, from: JSONStyle.encoder(pretty: false).encode(withLookahead)) == withLookahead)
    }

    /// Flip test-time augmentation is the mean of the logits of the images and of their mirror images.
    @Test func flipAveragesTheMirrorImagesLogits() {
        let x = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(ClassifierEpoch.horizontallyFlipped(x).scalars == [3, 2, 1, 6, 5, 4])
        let net = model()
        net.eval()
        var g = RandomGenerator(seed: 4)
        let images = Tensor(shape: [3, 1, 4, 4], scalars: (0..<48).map { _ in g.normal() })
        withNoGrad {
            let both = ClassifierEpoch.logits(net, images, flip: true).scalars
            let plain = net(images).scalars, mirrored = net(ClassifierEpoch.horizontallyFlipped(images)).scalars
            #expect(both == zip(plain, mirrored).map { ($0 + $1) * 0.5 })
            #expect(ClassifierEpoch.logits(net, images, flip: false).scalars == plain && plain != mirrored)
        }
    }

    /// A shift is reflect padding of one pixel cropped at a corner (`PlanarImage.padded`, whose
    /// reflect mode is tested against torchvision's `F.pad`): (0, 0) moves the image down-right,
    /// (2, 2) up-left, as airbench's `padded_inputs[:, :, 0:32, 0:32]` and `[2:34, 2:34]`.
    @Test func shiftsAreReflectPaddingCroppedAtACorner() {
        var g = RandomGenerator(seed: 5)
        let (n, c, h, w) = (2, 3, 4, 5)
        let x = Tensor(shape: [n, c, h, w], scalars: (0..<(n * c * h * w)).map { _ in g.normal() })
        for (down, right, top, left) in [(1, 1, 0, 0), (-1, -1, 2, 2), (1, -1, 0, 2), (0, 1, 1, 0)] {
            var expected: [Float] = []
            for image in 0..<n {
                let plane = c * h * w
                let padded = PlanarImage(channels: c, height: h, width: w, values: Array(x.scalars[(image * plane)..<((image + 1) * plane)]))
                    .padded(left: 1, top: 1, right: 1, bottom: 1, mode: .reflect)
                for k in 0..<c { for i in 0..<h { for j in 0..<w {
                    expected.append(padded.values[(k * (h + 2) + i + top) * (w + 2) + j + left])
                } } }
            }
            #expect(ClassifierEpoch.shifted(x, down: down, right: right).scalars == expected, "down \(down) right \(right)")
        }
        let small = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(ClassifierEpoch.shifted(small, down: 1, right: 1).scalars == [5, 4, 5, 2, 1, 2, 5, 4, 5])
        #expect(ClassifierEpoch.shifted(small, down: -1, right: -1).scalars == [5, 6, 5, 8, 9, 8, 5, 6, 5])
        #expect(ClassifierEpoch.shifted(small, down: 0, right: 0).scalars == small.scalars)
    }

    /// With shifts the logits are airbench's `tta_level=2` mixture: half those of the images
    /// (with their mirror images under `flip`), a quarter each of the two shifted views'.
    @Test func shiftsMixTheShiftedViewsLogitsAsAirbench() {
        let net = model()
        net.eval()
        var g = RandomGenerator(seed: 6)
        let images = Tensor(shape: [3, 1, 4, 4], scalars: (0..<48).map { _ in g.normal() })
        withNoGrad {
            for flip in [false, true] {
                let views = { (x: Tensor) in ClassifierEpoch.logits(net, x, flip: flip).scalars }
                let centre = views(images)
                let a = views(ClassifierEpoch.shifted(images, down: 1, right: 1)), b = views(ClassifierEpoch.shifted(images, down: -1, right: -1))
                let expected: [Float] = (0..<centre.count).map { k in
                    let moved: Float = (a[k] + b[k]) * 0.5
                    return centre[k] * 0.5 + moved * 0.5
                }
                let got = ClassifierEpoch.logits(net, images, flip: flip, shifts: true).scalars
                #expect(got == expected && got != centre, "flip \(flip)")
            }
        }
    }
}
