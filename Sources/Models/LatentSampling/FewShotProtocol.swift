import Dataset
import Foundation
import Tensor

/// The paper's generalised few-shot protocol on Fashion-MNIST, end to end and resumable:
/// for each draw of 5 minority classes and each n_f, a ResNet-18 backbone (the project's
/// small-image recipe, `compact` stem) is trained from scratch on the imbalanced set, frozen,
/// its 512-d features extracted, and ``FewShotEvaluation`` fills that cell of the table.
///
/// Every cell is kept in `directory/draw-D/nf-N/` (backbone run with checkpoints, `cell.json`
/// written atomically when the cell is done), so a killed run goes on where it stopped.
public struct FewShotProtocol {
    /// The protocol's size: n_f values, draws, majority subsampling, backbone recipe, evaluation.
    public struct Options: Codable, Equatable, Sendable {
        public var shots = [5, 10, 30, 50]
        public var draws = 3
        /// Training images kept per majority class (nil: all 6,000).
        public var majorityPerClass: Int? = nil
        /// Test images used (nil: all 10,000; a cut keeps the first of a seeded shuffle).
        public var testLimit: Int? = nil
        public var backboneEpochs = 4
        public var backboneLearningRate = 0.05
        public var batchSize = 128
        public var evaluation = FewShotEvaluation.Options()
        public var seed: UInt64 = 42
        public init() {}
    }

    /// One finished cell.
    public struct Cell: Codable, Sendable {
        public var draw: Int
        public var shots: Int
        public var minorityClasses: [Int]
        public var trainingImages: Int
        public var backboneTestAccuracy: Double
        public var report: FewShotEvaluation.Report
        public var seconds: Double
    }

    public let options: Options
    public let directory: URL
    public init(options: Options, directory: URL) { self.options = options; self.directory = directory }

    /// Runs (or reloads) every cell; `log` gets one line per step.
    public func run(train: FashionMNIST, test fullTest: FashionMNIST, log: @escaping (String) -> Void = { _ in }) throws -> [Cell] {
        var cells: [Cell] = []
        var g = RandomGenerator(seed: options.seed)
        let testOrder = g.permutation(fullTest.count)
        let test = fullTest.subset(Array(testOrder.prefix(options.testLimit ?? fullTest.count)))
        for draw in 0..<options.draws {
            for shots in options.shots {
                let folder = directory.appendingPathComponent("draw-\(draw)/nf-\(shots)")
                let cellURL = folder.appendingPathComponent("cell.json")
                if let data = try? Data(contentsOf: cellURL), let cell = try? JSONDecoder().decode(Cell.self, from: data) {
                    log("draw \(draw), n_f \(shots): done before, reusing \(cellURL.path)")
                    cells.append(cell); continue
                }
                let cell = try runCell(draw: draw, shots: shots, train: train, test: test, folder: folder, log: log)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(cell).write(to: cellURL, options: .atomic)
                cells.append(cell)
            }
        }
        return cells
    }

    func runCell(draw: Int, shots: Int, train: FashionMNIST, test: FashionMNIST, folder: URL, log: @escaping (String) -> Void) throws -> Cell {
        let started = Date()
        // Majority classes subsampled (seeded per draw), then the few-shot split.
        var g = RandomGenerator(seed: options.seed &+ UInt64(draw) &* 1_000_003)
        var pool: [Int] = []
        var byClass = [[Int]](repeating: [], count: 10)
        for (i, l) in train.labels.enumerated() { byClass[l].append(i) }
        for c in 0..<10 {
            let members = byClass[c]
            pool += options.majorityPerClass.map { m in g.permutation(members.count).prefix(m).map { members[$0] } } ?? members
        }
        pool.sort()
        let split = FewShotSplit(labels: pool.map { train.labels[$0] }, classCount: 10, shots: shots, seed: options.seed &+ UInt64(draw))
        let subset = train.subset(split.kept.map { pool[$0] })
        let minority = Set(split.minorityClasses)
        log("draw \(draw), n_f \(shots): minority classes \(split.minorityClasses.map { FashionMNIST.classNames[$0] }.joined(separator: ", ")); \(subset.count) training images")

        // The backbone, trained from scratch on the imbalanced set (resumable through its Trainer).
        let model = ResNet18(classes: 10, inputChannels: 1, stem: .compact, initialization: .torchvision, seed: options.seed &+ UInt64(draw))
        let data = FashionMNISTData(train: subset, test: test, batchSize: options.batchSize, augment: true, padding: 0, seed: options.seed)
        let configuration = TrainingConfiguration(epochs: options.backboneEpochs, learningRate: options.backboneLearningRate,
                                                  optimizer: .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true),
                                                  schedule: .oneCycle(epochs: options.backboneEpochs, warmup: 0.25, div: 25, finalDiv: 1e4),
                                                  labelSmoothing: 0, seed: options.seed)
        let metadata = CheckpointMetadata(classes: FashionMNIST.classNames, inputChannels: 1, inputSize: 28, stem: .compact,
                                          mean: [FashionMNISTData.mean], std: [FashionMNISTData.std])
        let trainer = Trainer(model: model, configuration: configuration, metadata: metadata, directory: folder.appendingPathComponent("backbone"))
        let records = try trainer.run(data: data) { event in
            if case .epoch(let r) = event {
                log(String(format: "  backbone epoch %d: train acc %.2f %%, test acc %.2f %%, %.0f s", r.epoch, 100 * r.trainAccuracy, 100 * r.validationAccuracy, r.seconds))
            }
        }
        // Frozen: the last epoch's weights (the protocol does not pick epochs on the test set).
        let (frozen, _) = try Checkpoint.load(contentsOf: trainer.lastCheckpoint)
        frozen.eval()
        func features(_ set: FashionMNIST) -> (features: [Float], predictions: [Int]) {
            let d = FashionMNISTData(train: set, test: set, batchSize: 256, augment: false, seed: options.seed)
            var f: [Float] = [], p: [Int] = []
            withNoGrad {
                for batch in d.validationBatches() {
                    let x = frozen.features(batch.images)
                    f += x.scalars
                    p += ClassifierEpoch.argmaxRows(frozen.fc(x))
                }
            }
            return (f, p)
        }
        let (trainFeatures, _) = features(subset), (testFeatures, backbonePredictions) = features(test)
        var evaluation = options.evaluation
        evaluation.seed = options.seed &+ UInt64(draw)
        let report = try FewShotEvaluation(options: evaluation).run(
            train: trainFeatures, trainLabels: subset.labels, test: testFeatures, testLabels: test.labels, dimension: 512,
            classes: FashionMNIST.classNames, minority: minority, backbonePredictions: backbonePredictions) { log("  " + $0) }
        return Cell(draw: draw, shots: shots, minorityClasses: split.minorityClasses, trainingImages: subset.count,
                    backboneTestAccuracy: records.last?.validationAccuracy ?? 0, report: report, seconds: Date().timeIntervalSince(started))
    }

    /// The paper's table: rows = methods, columns = n_f, cells = mean ± std over draws of acc_h / acc (in %).
    public static func markdown(_ cells: [Cell], paper: Bool = true) -> String {
        let shots = Array(Set(cells.map(\.shots))).sorted()
        let methods = cells.first?.report.results.map(\.method) ?? []
        func stats(_ v: [Double]) -> String {
            guard !v.isEmpty else { return "–" }
            let m = v.reduce(0, +) / Double(v.count)
            let s = v.count > 1 ? (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
            return String(format: "%.2f ± %.2f", 100 * m, 100 * s)
        }
        var md = "| model | " + shots.map { "n_f=\($0) (acc_h / acc)" }.joined(separator: " | ") + " |\n"
        md += "|---|" + shots.map { _ in "---|" }.joined() + "\n"
        for method in methods {
            md += "| \(method) |"
            for n in shots {
                let rs = cells.filter { $0.shots == n }.compactMap { $0.report.results.first { $0.method == method } }
                md += " \(stats(rs.map(\.harmonicAccuracy))) / \(stats(rs.map(\.accuracy))) |"
            }
            md += "\n"
        }
        let draws = Set(cells.map(\.draw)).count
        md += "\n\(draws) draw\(draws == 1 ? "" : "s") of 5 minority classes; mean ± sample standard deviation over draws, in %.\n"
        return md
    }
}
