import TestSupport
import Foundation
import Testing
import Tensor
@testable import Models
import Dataset

@Suite struct LatentSamplingTests {
    /// Clustered features: `classes` prototypes in `d` dimensions, `perClass` noisy rows each.
    static func clusters(classes: Int, perClass: Int, d: Int, seed: UInt64) -> (x: [Float], y: [Int]) {
        var g = RandomGenerator(seed: seed)
        let prototypes = (0..<classes).map { _ in (0..<d).map { _ in max(0, g.normal() * 1.5) } }
        var x: [Float] = [], y: [Int] = []
        for i in 0..<(classes * perClass) {
            let c = i % classes
            x += prototypes[c].map { max(0, $0 + 0.5 * g.normal()) }
            y.append(c)
        }
        return (x, y)
    }

    @Test func betaRisesEachEpochUntilEpochNinety() {
        let s = FeatureVAE.BetaSchedule()
        #expect(s.beta(epoch: 0) == 0)
        #expect(abs(s.beta(epoch: 1) - 5.6e-6) < 1e-12)
        #expect(s.beta(epoch: 90) == s.beta(epoch: 99))
        #expect(abs(s.beta(epoch: 90) - 90 * 5.6e-6) < 1e-9)
    }

    /// The loss's gradient against central finite differences, ε drawn the same way each time.
    @Test func lossGradientMatchesFiniteDifferences() {
        let vae = FeatureVAE(dimension: 6, hidden: 5, latent: 3, seed: 3)
        var g = RandomGenerator(seed: 4)
        let x = Tensor(shape: [4, 6], scalars: (0..<24).map { _ in g.normal() })
        func loss() -> Float {
            var e = RandomGenerator(seed: 11)
            return withNoGrad { vae.loss(x, beta: 0.7, generator: &e).total }.scalars[0]
        }
        var e = RandomGenerator(seed: 11)
        vae.zeroGrad()
        vae.loss(x, beta: 0.7, generator: &e).total.backward()
        for (name, p) in vae.namedParameters {
            let analytic = p.grad!.scalars
            for k in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 5)) {
                let original = p.value.scalars[k]
                let h: Float = 1e-2
                var plus = p.value.scalars; plus[k] = original + h
                p.assign(Tensor(shape: p.value.shape, scalars: plus))
                let up = loss()
                var minus = plus; minus[k] = original - h
                p.assign(Tensor(shape: p.value.shape, scalars: minus))
                let down = loss()
                minus[k] = original
                p.assign(Tensor(shape: p.value.shape, scalars: minus))
                let numeric = (up - down) / (2 * h)
                #expect(abs(numeric - analytic[k]) <= 2e-2 * max(1, abs(numeric)), "\(name)[\(k)]: \(analytic[k]) vs \(numeric)")
            }
        }
    }

    @Test func learnsHeldOutFeaturesBetterThanTheMeanVector() throws {
        let (x, _) = Self.clusters(classes: 4, perClass: 60, d: 16, seed: 5)
        let train = Array(x.prefix(200 * 16)), test = Array(x.suffix(40 * 16))
        let vae = FeatureVAE(dimension: 16, hidden: 32, latent: 8, seed: 1)
        let logs = try vae.train(train, count: 200, epochs: 60, batchSize: 32, schedule: .init(step: 1e-3, lastEpoch: 30))
        #expect(logs.count == 60 && logs[0].beta == 0 && logs[59].beta == Float(30) * 1e-3)
        var mean = [Float](repeating: 0, count: 16)
        for i in 0..<200 { for j in 0..<16 { mean[j] += train[i * 16 + j] / 200 } }
        var meanError = 0.0
        for i in 0..<40 { for j in 0..<16 { let e = Double(test[i * 16 + j] - mean[j]); meanError += e * e } }
        meanError /= 40
        let error = vae.reconstructionError(test, count: 40)
        #expect(error < 0.5 * meanError, "\(error) vs mean vector \(meanError)")
        let kl = vae.klPerDimension(test, count: 40)
        #expect(kl.count == 8 && kl.allSatisfy { $0 >= 0 } && kl.reduce(0, +) > 0)
        var g = RandomGenerator(seed: 2)
        let z1 = vae.sampleLatents(Array(test.prefix(16)), count: 1, generator: &g)
        let z2 = vae.sampleLatents(Array(test.prefix(16)), count: 1, generator: &g)
        #expect(z1.count == 8 && z1 != z2, "a fresh z every draw")
    }

    @Test func fewShotSplitKeepsShotsOfFiveRandomClasses() {
        let labels = (0..<200).map { $0 % 10 }
        let a = FewShotSplit(labels: labels, classCount: 10, shots: 3, seed: 7)
        #expect(a.minorityClasses.count == 5)
        var counts = [Int](repeating: 0, count: 10)
        for i in a.kept { counts[labels[i]] += 1 }
        for c in 0..<10 { #expect(counts[c] == (a.minorityClasses.contains(c) ? 3 : 20)) }
        #expect(a == FewShotSplit(labels: labels, classCount: 10, shots: 3, seed: 7), "seeded")
        #expect(a.minorityClasses != FewShotSplit(labels: labels, classCount: 10, shots: 3, seed: 8).minorityClasses)
    }

    @Test(arguments: [LatentSamplingClassifier.Mode.plain, .oversampling(30), .vaeSampling(30)])
    func everyModeLearnsTheClasses(_ mode: LatentSamplingClassifier.Mode) throws {
        let (x, y) = Self.clusters(classes: 4, perClass: 50, d: 12, seed: 9)
        let split = FewShotSplit(labels: y, classCount: 4, minorityCount: 1, shots: 3, seed: 1)
        let xs = split.kept.flatMap { i in x[(i * 12)..<((i + 1) * 12)] }, ys = split.kept.map { y[$0] }
        var vae: FeatureVAE? = nil
        if case .vaeSampling = mode {
            vae = FeatureVAE(dimension: 12, hidden: 16, latent: 4, seed: 2)
            try vae!.train(xs, count: ys.count, epochs: 20, batchSize: 32)
        }
        let classifier = LatentSamplingClassifier(mode: mode, dimension: 12, classCount: 4, vae: vae)
        #expect(classifier.fc.weight.shape == [4, mode == .vaeSampling(30) ? 16 : 12])
        try classifier.train(features: xs, labels: ys, count: ys.count, minority: Set(split.minorityClasses), epochs: 10)
        let predicted = classifier.predict(features: x, count: y.count)
        let accuracy = Double(zip(predicted, y).filter { $0 == $1 }.count) / Double(y.count)
        #expect(accuracy > 0.6, "\(mode): \(accuracy)")
    }
}

@Suite struct FewShotEvaluationTests {
    /// A cell of the paper's table on clustered features: every row present, the figures
    /// consistent with an evaluation of their own, the VAE better than the mean vector.
    @Test func oneCellOfThePapersTable() throws {
        let (x, y) = LatentSamplingTests.clusters(classes: 6, perClass: 80, d: 16, seed: 21)
        let trainRows = Array(0..<360), testRows = Array(360..<480)
        let split = FewShotSplit(labels: trainRows.map { y[$0] }, classCount: 6, minorityCount: 2, shots: 5, seed: 3)
        let kept = split.kept.map { trainRows[$0] }
        func rows(_ r: [Int]) -> [Float] { r.flatMap { i in x[(i * 16)..<((i + 1) * 16)] } }
        var options = FewShotEvaluation.Options()
        options.vaeEpochs = 30; options.vaeHidden = 32; options.latent = 8
        options.beta = .init(step: 1e-3, lastEpoch: 20)
        let testLabels = testRows.map { y[$0] }
        let backbone = testLabels.map { $0 == split.minorityClasses[0] ? ($0 + 1) % 6 : $0 }   // misses one minority class
        let report = try FewShotEvaluation(options: options).run(
            train: rows(kept), trainLabels: kept.map { y[$0] }, test: rows(testRows), testLabels: testLabels, dimension: 16,
            classes: (0..<6).map { "c\($0)" }, minority: Set(split.minorityClasses), backbonePredictions: backbone)
        #expect(report.results.map(\.method) == ["backbone", "oversampling x30", "oversampling x50", "vae-sampling x30", "vae-sampling x50"])
        let b = report.results[0]
        #expect(abs(b.minorityAccuracy - 0.5) < 1e-9 && b.majorityAccuracy == 1)
        #expect(abs(b.harmonicAccuracy - 2 * 0.5 * 1 / 1.5) < 1e-9)
        for r in report.results.dropFirst() { #expect(r.accuracy > 0.6, "\(r.method): \(r.accuracy)") }
        #expect(report.vaeTestError < report.meanVectorTestError)
        #expect(report.klPerDimension.count == 8)
    }
}

@Suite struct FewShotProtocolTests {
    /// A tiny protocol run on the real Fashion-MNIST files: a cell per (draw, n_f) with every
    /// row, and a second run reuses the finished cells instead of training again.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func runsAndResumes() throws {
        let train = try FashionMNIST(split: .train), test = try FashionMNIST(split: .test)
        var options = FewShotProtocol.Options()
        options.shots = [2]; options.draws = 1; options.majorityPerClass = 12; options.testLimit = 100
        options.backboneEpochs = 1; options.batchSize = 16
        options.evaluation.ratios = [3]; options.evaluation.vaeEpochs = 2; options.evaluation.vaeHidden = 16; options.evaluation.latent = 4
        options.evaluation.classifierEpochs = 2
        let folder = TemporaryFolder.name("fewshot")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cells = try FewShotProtocol(options: options, directory: folder).run(train: train, test: test)
        #expect(cells.count == 1)
        let cell = try #require(cells.first)
        #expect(cell.minorityClasses.count == 5 && cell.trainingImages == 5 * 12 + 5 * 2)
        #expect(cell.report.results.map(\.method) == ["backbone", "oversampling x3", "vae-sampling x3"])
        var lines: [String] = []
        let again = try FewShotProtocol(options: options, directory: folder).run(train: train, test: test) { lines.append($0) }
        #expect(lines.count == 1 && lines[0].contains("reusing"))
        #expect(again.first?.report.results == cell.report.results)
        #expect(FewShotProtocol.markdown(again).contains("| vae-sampling x3 |"))
        let table = FewShotProtocol.table(again)
        #expect(table.shots == [2] && table.rows.map(\.method) == cell.report.results.map(\.method))
        #expect(table.rows[0].cells[0].draws == 1 && table.rows[0].cells[0].harmonicStd == 0)
        #expect(table.rows[1].cells[0].accuracyMean == cell.report.results[1].accuracy)
        // table.json is one record per (method, n_f), which pandas reads as a table, and reads back whole.
        let records = try JSONSerialization.jsonObject(with: JSONStyle.encoder().encode(table.records)) as! [[String: Any]]
        #expect(records.count == 3 && Set(records[0].keys) == ["method", "shots", "draws", "acc_h_mean", "acc_h_std", "acc_mean", "acc_std"])
        #expect(FewShotProtocol.Table(records: table.records).records == table.records)
        #expect(cell.backboneTestAccuracy == Double(cell.report.results[0].accuracy))

        // A variant of the evaluation reuses the backbone and its features from the first run's folder.
        var variant = options
        variant.evaluation.latentScale = 3
        let variantFolder = folder.appendingPathComponent("variant")
        var variantLines: [String] = []
        let cellsB = try FewShotProtocol(options: variant, directory: variantFolder, backbones: folder).run(train: train, test: test) {
            variantLines.append($0)
        }
        #expect(variantLines.contains { $0.contains("backbone features reused") })
        #expect(!variantLines.contains { $0.contains("backbone epoch") })
        #expect(cellsB.first?.report.results.first == cell.report.results.first)
        #expect(FileManager.default.fileExists(atPath: variantFolder.appendingPathComponent("draw-0/nf-2/cell.json").path))
    }
}

@Suite struct BackboneFeaturesTests {
    @Test func roundTripsAndRefusesAnotherCellsFile() throws {
        let f = BackboneFeatures(dimension: 3, train: (0..<6).map(Float.init), test: (0..<9).map { Float($0) / 2 }, testPredictions: [2, 0, 1])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bf-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try f.write(to: url, trainLabels: [4, 7])
        let back = try #require(try BackboneFeatures.read(from: url, trainLabels: [4, 7], testCount: 3))
        #expect(back.train == f.train && back.test == f.test && back.testPredictions == f.testPredictions && back.dimension == 3)
        #expect(try BackboneFeatures.read(from: url, trainLabels: [7, 4], testCount: 3) == nil)
        #expect(try BackboneFeatures.read(from: url, trainLabels: [4, 7], testCount: 4) == nil)
    }

    /// s → 0 makes every training draw the posterior mean; s = 1 is the paper's z = μ + σ·ε.
    @Test func latentScaleWidensOrNarrowsTheDraws() throws {
        let (x, _) = LatentSamplingTests.clusters(classes: 2, perClass: 20, d: 6, seed: 4)
        let vae = FeatureVAE(dimension: 6, hidden: 8, latent: 3, seed: 5)
        func spread(_ s: Float) -> Float {
            let c = LatentSamplingClassifier(mode: .vaeSampling(2), dimension: 6, classCount: 2, vae: vae, latentScale: s)
            var g = RandomGenerator(seed: 1), h = RandomGenerator(seed: 0)
            let drawn = c.inputs(x, count: 40, generator: &g, sample: true).scalars
            let mean = c.inputs(x, count: 40, generator: &h, sample: false).scalars
            return zip(drawn, mean).map { abs($0 - $1) }.max()!
        }
        #expect(spread(1e-6) < 1e-5)
        let one = spread(1), three = spread(3)
        #expect(one > 1e-3 && abs(three / one - 3) < 1e-3, "\(one) \(three)")
    }
}
