import TestSupport
import Dataset
import Foundation
import Testing
import Tensor
@testable import Models

/// Two classes of 4×4 images (bright top half vs bright bottom half) with noise; a seeded order per epoch.
struct StripesData: TrainingData {
    let images: [[Float]], labels: [Int]
    let batchSize = 8

    init(count: Int, seed: UInt64) {
        var g = RandomGenerator(seed: seed)
        var images: [[Float]] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            images.append((0..<16).map { p in ((p / 4 < 2) == (label == 0) ? 0.8 : 0.2) + 0.2 * g.uniform() })
            labels.append(label)
        }
        self.images = images; self.labels = labels
    }

    func batches(_ order: [Int]) -> AnySequence<LabelledBatch> {
        AnySequence(stride(from: 0, to: order.count, by: batchSize).map { s in
            let idx = Array(order[s..<min(s + batchSize, order.count)])
            return LabelledBatch(images: Tensor(shape: [idx.count, 1, 4, 4], scalars: idx.flatMap { images[$0] }), labels: idx.map { labels[$0] })
        })
    }
    func trainingBatches(epoch: Int, shard: BatchShard) -> AnySequence<LabelledBatch> {
        precondition(shard == .whole, "StripesData: one process only")
        var g = RandomGenerator(seed: 100 + UInt64(epoch))
        return batches(g.permutation(images.count))
    }
    func validationBatches(shard: BatchShard) -> AnySequence<LabelledBatch> {
        precondition(shard.count == 1, "StripesData: one process only")
        return batches(Array(0..<images.count))
    }
    var trainingBatchCount: Int { (images.count + batchSize - 1) / batchSize }
    var trainingBatchSize: Int { batchSize }
    var fingerprint: String { "\(images.count) stripes" }
}

@Suite(.serialized) struct TrainerTests {
    func folder() -> URL { TemporaryFolder.name("train") }
    let metadata = CheckpointMetadata(classes: ["top", "bottom"], inputChannels: 1, inputSize: 4, stem: .small, mean: [0.5], std: [0.3])
    let configuration = TrainingConfiguration(epochs: 3, learningRate: 1e-3, optimizer: .adam(weightDecay: 1e-4),
                                              schedule: .step(every: 2, gamma: 0.5), labelSmoothing: 0.05, seed: 7)

    @Test func resumedRunEqualsAnUninterruptedOne() throws {
        let data = StripesData(count: 16, seed: 1)
        let a = folder(), b = folder()
        let full = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                               metadata: metadata, directory: a).run(data: data)
        #expect(full.count == 3 && full.map(\.learningRate) == [1e-3, 1e-3, 5e-4])
        // Two epochs, "killed", then a fresh process resumes from the folder.
        let first = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                                metadata: metadata, directory: b).run(data: data, epochLimit: 2)
        #expect(first.count == 2)
        var resumedFrom = -1
        let rest = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 99), configuration: configuration,
                               metadata: metadata, directory: b).run(data: data) { if case .resumed(let n) = $0 { resumedFrom = n } }
        #expect(resumedFrom == 2)
        #expect(rest.map(\.trainLoss) == full.map(\.trainLoss))
        #expect(rest.map(\.validationAccuracy) == full.map(\.validationAccuracy))
        let wa = try Safetensors.read(contentsOf: a.appendingPathComponent("last.safetensors")).state
        let wb = try Safetensors.read(contentsOf: b.appendingPathComponent("last.safetensors")).state
        #expect(wa.keys == wb.keys)
        #expect(wa.entries.allSatisfy { $0.tensor.scalars == wb[$0.name]!.scalars })
        let log = try String(contentsOf: b.appendingPathComponent("log.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3)
        let best = try Checkpoint.load(contentsOf: b.appendingPathComponent("best.safetensors"))
        #expect(best.metadata?.classes == ["top", "bottom"] && (best.metadata?.epoch ?? 0) >= 1)
    }

    /// The data-parallel step with one batch-norm group a batch is the plain step, bit for bit
    /// (the loss weighted by 8/8, running statistics averaged over one group); groups of 4 train
    /// differently (their own statistics). Several processes are tested by Tools/mpi_test.sh.
    @Test func oneGroupStepIsThePlainStep() throws {
        let data = StripesData(count: 20, seed: 1)
        func weights(groups: Int?) throws -> [[Float]] {
            let directory = folder()
            let trainer = Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                                  metadata: metadata, directory: directory)
            if let groups { trainer.parallel = DataParallel(groupSize: groups) }
            try trainer.run(data: data, epochLimit: 2)
            return try Safetensors.read(contentsOf: directory.appendingPathComponent("last.safetensors")).state.entries.map(\.tensor.scalars)
        }
        let plain = try weights(groups: nil)
        #expect(try weights(groups: 8) == plain)
        #expect(try weights(groups: 4) != plain)
        #expect(DataParallel(groupSize: 3).problem(batchSize: 8) == nil)   // one process: the last group smaller
        #expect(DataParallel(groupSize: 0).problem(batchSize: 8) == "--bn-group-size must be 1 or more")
    }

    /// Validation outcomes cross between processes as words and come back the same.
    @Test func validationOutcomesSurviveTheGather() throws {
        let outcomes = [ClassifierEpoch.BatchOutcome(loss: 0.37, truth: [1, 0], predictions: [1, 1],
                                                     top: [[.init(label: 1, probability: 0.6), .init(label: 0, probability: 0.4)],
                                                           [.init(label: 1, probability: 0.51), .init(label: 0, probability: 0.49)]]),
                        ClassifierEpoch.BatchOutcome(loss: .nan, truth: [], predictions: [], top: [])]
        let back = try DataParallel.decode(DataParallel.encode(outcomes))
        #expect(back.count == 2 && back[0] == outcomes[0] && back[1].loss.isNaN && back[1].truth.isEmpty)
        #expect(throws: CommunicatorError.self) { try DataParallel.decode(DataParallel.encode(outcomes).prefix(10)) }
    }

    /// A run killed at every step of an epoch's save (pending files, the state's commit, each
    /// rename, the log) resumes to the same weights and records as an uninterrupted run, and
    /// leaves no pending or temporary file behind.
    @Test func killedDuringASaveResumesBitIdentically() throws {
        let data = StripesData(count: 8, seed: 1)
        var configuration = self.configuration
        configuration.epochs = 2
        let reference = folder()
        defer { try? FileManager.default.removeItem(at: reference) }
        let full = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                               metadata: metadata, directory: reference).run(data: data)
        let want = try Safetensors.read(contentsOf: reference.appendingPathComponent("last.safetensors")).state
        for step in 1...7 {
            let b = folder()
            defer { try? FileManager.default.removeItem(at: b) }
            let crashing = Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                                   metadata: metadata, directory: b)
            crashing.failAfterSaveStep = (epoch: 2, step: step)
            // 6 steps, 7 when the epoch is the best so far: past the last one, nothing is left to test.
            guard (try? crashing.run(data: data)) == nil else { #expect(step >= 7); break }
            // A torn write's temporary, as a kill inside a write leaves.
            try Data([1, 2, 3]).write(to: b.appendingPathComponent(".last.safetensors.partial-999"))
            let records = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 42), configuration: configuration,
                                      metadata: metadata, directory: b).run(data: data)
            #expect(records.map(\.trainLoss) == full.map(\.trainLoss), "step \(step)")
            let got = try Safetensors.read(contentsOf: b.appendingPathComponent("last.safetensors")).state
            for e in want { #expect(got[e.name]?.scalars == e.tensor.scalars, "step \(step): \(e.name)") }
            let log = try String(contentsOf: b.appendingPathComponent("log.jsonl"), encoding: .utf8)
            #expect(log.split(separator: "\n").count == 2, "step \(step)")
            let left = try FileManager.default.contentsOfDirectory(atPath: b.path).filter { $0.contains(".next.") || $0.contains(".partial-") }
            #expect(left.isEmpty, "step \(step): \(left)")
        }
    }

    /// Files of a run without its trainer_state.json: refused, not overwritten.
    @Test func refusesAFolderWithoutItsState() throws {
        let data = StripesData(count: 16, seed: 1)
        let b = folder()
        defer { try? FileManager.default.removeItem(at: b) }
        try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                    metadata: metadata, directory: b).run(data: data, epochLimit: 1)
        let best = try Data(contentsOf: b.appendingPathComponent("best.safetensors"))
        try FileManager.default.removeItem(at: b.appendingPathComponent("trainer_state.json"))
        do {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                        metadata: metadata, directory: b).run(data: data)
            Issue.record("started over in a folder holding a run")
        } catch let e as TrainerError {
            #expect(e.reason.contains("not a resumable run") && e.reason.contains("--restart"), "\(e.reason)")
        }
        #expect(try Data(contentsOf: b.appendingPathComponent("best.safetensors")) == best)
    }

    /// trainer_state.json holds the data settings as typed values where they read back to the
    /// same text, and a file of an older run (every setting a string) reads the same.
    @Test func dataSettingsAreTypedInJSONAndOldTextFilesStillResume() throws {
        let settings = ["batch_size": "32", "augment": "true", "lr": "0.068", "whole": "100.0", "neg_zero": "-0",
                        "mean": "0.887443 0.868735 0.847011", "big": "123456789012345678901234", "name": "x"]
        let c = TrainingConfiguration(epochs: 2, data: settings)
        let json = try JSONStyle.encoder().encode(c)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let data = try #require(object["data"] as? [String: Any])
        #expect(data["batch_size"] as? Int == 32 && data["augment"] as? Bool == true && data["lr"] as? Double == 0.068)
        for key in ["whole", "neg_zero", "mean", "big", "name"] { #expect(data[key] is String, "\(key) stays text") }
        #expect(try JSONStyle.decoder().decode(TrainingConfiguration.self, from: json) == c)
        var old = object
        old["data"] = settings
        let oldJSON = try JSONSerialization.data(withJSONObject: old)
        #expect(try JSONStyle.decoder().decode(TrainingConfiguration.self, from: oldJSON) == c)
    }

    @Test func perBatchScheduleResumesAndKeepsTheLastPredictions() throws {
        let data = StripesData(count: 16, seed: 2)
        let c = TrainingConfiguration(epochs: 2, learningRate: 0.05, optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true),
                                      schedule: .oneCycle(epochs: 2, warmup: 0.3, div: 25, finalDiv: 1e4), seed: 7)
        let fullTrainer = Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: c,
                                  metadata: metadata, directory: folder())
        let full = try fullTrainer.run(data: data)
        let dir = folder()
        try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: c,
                    metadata: metadata, directory: dir).run(data: data, epochLimit: 1)
        let rest = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 5), configuration: c,
                               metadata: metadata, directory: dir).run(data: data)
        #expect(rest.map(\.trainLoss) == full.map(\.trainLoss))
        // The logged rate is the epoch's first batch's: OneCycle's start, then a value past the peak.
        #expect(abs(full[0].learningRate - 0.05 / 25) < 1e-12 && full[1].learningRate < 0.05 && full[1].learningRate > 0.002)
        let last = try #require(fullTrainer.lastValidation)
        let correct = zip(last.truth, last.predictions).filter { $0 == $1 }.count
        #expect(last.truth.count == data.validationBatches().reduce(0) { $0 + $1.labels.count })
        #expect(abs(Double(correct) / Double(last.truth.count) - full[1].validationAccuracy) < 1e-12)
    }

    @Test func refusesToResumeAnotherConfiguration() throws {
        let data = StripesData(count: 8, seed: 1)
        let dir = folder()
        var c = configuration
        c.epochs = 1
        try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: c, metadata: metadata, directory: dir).run(data: data)
        c.learningRate = 0.5
        #expect(throws: TrainerError.self) {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: c, metadata: metadata, directory: dir).run(data: data)
        }
        // Each difference is named, the data recipe's too.
        var d = configuration
        d.epochs = 1; d.data = ["image_size": "64"]
        let e = folder()
        try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: d, metadata: metadata, directory: e).run(data: data)
        d.data = ["image_size": "112"]
        d.labelSmoothing = 0
        do {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: d, metadata: metadata, directory: e).run(data: data)
            Issue.record("resumed under another image size")
        } catch let error as TrainerError {
            #expect(error.reason.contains("image_size 64 → 112") && error.reason.contains("label smoothing 0.05 → 0.0") && error.reason.contains("--restart"))
        }
        // A schedule fitted to the run's length cannot be stretched.
        let cosine = TrainingConfiguration(epochs: 1, schedule: .cosine(epochs: 1, minimum: 0))
        let f = folder()
        try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: cosine, metadata: metadata, directory: f).run(data: data)
        var longer = cosine
        longer.epochs = 2; longer.schedule = .cosine(epochs: 2, minimum: 0)
        #expect(throws: TrainerError.self) {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: longer, metadata: metadata, directory: f).run(data: data)
        }
    }

    /// Mixed precision is part of a run: trainer_state.json says `"precision": "bf16"` (and
    /// nothing for FP32, as before), an unknown precision is refused when read, a resume in
    /// the other precision is refused naming it, and the bf16 run really computes in bf16 (on
    /// a CPU without AVX512_BF16 by the emulation, with the same bits): its losses differ from
    /// the FP32 run's from the first batch, and its training loss falls as the FP32 run's does.
    @Test func precisionIsPartOfTheRun() throws {
        var bf16 = configuration
        bf16.epochs = 2; bf16.precision = .bf16
        let json = try JSONStyle.encoder().encode(bf16)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["precision"] as? String == "bf16")
        #expect(try JSONStyle.decoder().decode(TrainingConfiguration.self, from: json) == bf16)
        let plain = try #require(try JSONSerialization.jsonObject(with: try JSONStyle.encoder().encode(configuration)) as? [String: Any])
        #expect(plain["precision"] == nil)
        var unknown = object
        unknown["precision"] = "fp8"
        #expect(throws: DecodingError.self) {
            try JSONStyle.decoder().decode(TrainingConfiguration.self, from: try JSONSerialization.data(withJSONObject: unknown))
        }

        let data = StripesData(count: 32, seed: 4)
        let dir = folder()
        let mixed = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: bf16,
                                metadata: metadata, directory: dir).run(data: data)
        var fp32 = bf16
        fp32.precision = .fp32
        let single = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: fp32,
                                 metadata: metadata, directory: folder()).run(data: data)
        #expect(mixed.count == 2 && mixed.allSatisfy { $0.trainLoss.isFinite && $0.validationLoss.isFinite })
        #expect(mixed[0].trainLoss != single[0].trainLoss)
        #expect(mixed[1].trainLoss < mixed[0].trainLoss && single[1].trainLoss < single[0].trainLoss)
        fp32.epochs = 3
        do {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: fp32, metadata: metadata, directory: dir).run(data: data)
            Issue.record("resumed a bf16 run in FP32")
        } catch let error as TrainerError {
            #expect(error.reason.contains("precision bf16 → fp32"))
        }
    }

    /// More epochs on a finished run whose schedule does not span the run (step here): it goes
    /// on from where it stopped and ends bit-identical to a run given the longer count at once.
    @Test func moreEpochsExtendAFinishedRun() throws {
        let data = StripesData(count: 8, seed: 1)
        let a = folder(), b = folder()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        var short = configuration
        short.epochs = 2
        try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: short, metadata: metadata, directory: a).run(data: data)
        let extended = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                                   metadata: metadata, directory: a).run(data: data)
        let whole = try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small, seed: 3), configuration: configuration,
                                metadata: metadata, directory: b).run(data: data)
        #expect(extended.count == 3 && extended.map(\.trainLoss) == whole.map(\.trainLoss))
        let wa = try Safetensors.read(contentsOf: a.appendingPathComponent("last.safetensors")).state
        let wb = try Safetensors.read(contentsOf: b.appendingPathComponent("last.safetensors")).state
        #expect(wa.entries.allSatisfy { $0.tensor.scalars == wb[$0.name]?.scalars })
        // Fewer epochs than are done: refused.
        var fewer = configuration
        fewer.epochs = 1
        #expect(throws: TrainerError.self) {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: fewer, metadata: metadata, directory: a).run(data: data)
        }
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let dir = folder()
        var c = configuration
        c.epochs = 2
        c.learningRate = 1e9   // diverges
        c.optimizer = .sgd(momentum: 0, weightDecay: 0, nesterov: false)
        let data = StripesData(count: 16, seed: 2)
        do {
            try Trainer(model: ResNet18(classes: 2, inputChannels: 1, stem: .small), configuration: c, metadata: metadata, directory: dir).run(data: data)
            Issue.record("a learning rate of 1e9 trained without a non-finite loss")
        } catch let error as TrainingError {
            #expect("\(error)".contains("loss is"), "\(error)")
        }
        // Whatever epochs completed left loadable files; nothing half-written.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        #expect(leftovers.allSatisfy { !$0.hasSuffix(".tmp") && !$0.hasPrefix(".") })
        if leftovers.contains("last.safetensors") { _ = try Checkpoint.load(contentsOf: dir.appendingPathComponent("last.safetensors")) }
    }

    @Test func evaluationFigures() {
        let e = Evaluation(classes: ["a", "b", "c"], truth: [0, 0, 0, 1, 1, 2], predictions: [0, 0, 1, 1, 0, 2])
        #expect(e.confusion == [[2, 1, 0], [1, 1, 0], [0, 0, 1]])
        #expect(abs(e.accuracy - 4.0 / 6) < 1e-12)
        #expect(e.perClassAccuracy.map { $0 ?? -1 } == [2.0 / 3, 0.5, 1])
        #expect(e.classesByAccuracy.map(\.name) == ["b", "a", "c"])
        let h = e.harmonicAccuracy(minority: [2])
        #expect(abs(h.majority - 0.6) < 1e-12 && h.minority == 1 && abs(h.harmonic - 0.75) < 1e-12)
        #expect(e.harmonicAccuracy(minority: [1]).harmonic > 0)
        #expect(Evaluation(classes: ["a", "b"], truth: [0, 1], predictions: [0, 0]).harmonicAccuracy(minority: [1]).harmonic == 0)
        #expect(e.markdown(title: "t").contains("| b | 2 | 50.00 % |"))
    }

    @Test func schedules() {
        #expect(abs(LearningRateSchedule.step(every: 30, gamma: 0.1).rate(base: 1, epoch: 65) - 0.01) < 1e-15)   // two decays by epoch 65
        let cosine = LearningRateSchedule.cosine(epochs: 10, minimum: 0)
        #expect(cosine.rate(base: 1, epoch: 0) == 1 && abs(cosine.rate(base: 1, epoch: 5) - 0.5) < 1e-12 && cosine.rate(base: 1, epoch: 10) < 1e-12)
    }
}
