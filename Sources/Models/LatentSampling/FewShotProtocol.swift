import Dataset
import Foundation
import Tensor

/// The paper's generalised few-shot protocol, end to end and resumable: for each draw of 5
/// minority classes and each n_f, a backbone is trained from scratch on the imbalanced set
/// (``FewShotSource``: Fashion-MNIST's `compact`-stem ResNet-18, or the prepared K-Fashion
/// photos), frozen, its 512-d features extracted, and ``FewShotEvaluation`` fills that cell.
///
/// Backbones and their features are kept in `backbones/draw-D/nf-N/` (the Trainer's run and
/// `features.safetensors`), the cell's result in `directory/draw-D/nf-N/cell.json` (written
/// atomically when done), so a killed run goes on where it stopped, and a variant of the
/// evaluation (β ceiling, latent scale, ratios) re-uses the backbones of another run.
public struct FewShotProtocol {
    /// The protocol's size: n_f values, draws, majority subsampling, backbone recipe, evaluation.
    public struct Options: Codable, Equatable, Sendable {
        /// The n_f values: training images kept by each minority class.
        public var shots = [5, 10, 30, 50]
        /// Draws of the 5 minority classes (each a seeded choice).
        public var draws = 3
        /// Training images kept per majority class (nil: all).
        public var majorityPerClass: Int? = nil
        /// Test images used (nil: all; a cut keeps the first of a seeded shuffle).
        public var testLimit: Int? = nil
        /// Test images the backbone's per-epoch check uses (nil: all); features and scores use every test image.
        public var monitorLimit: Int? = 1000
        /// Epochs of each backbone (one-cycle SGD).
        public var backboneEpochs = 4
        /// The backbone's peak learning rate.
        public var backboneLearningRate = 0.05
        /// The backbone's batch size.
        public var batchSize = 128
        /// The VAE and classifier settings of each cell.
        public var evaluation = FewShotEvaluation.Options()
        /// Seeds the draws, the subsampling and every backbone.
        public var seed: UInt64 = 42
        /// The paper's setting (n_f 5, 10, 30, 50; 3 draws; every image).
        public init() {}

        /// The quick setting (`fashion fewshot --quick`, ~6 minutes on two cores): n_f 10 and
        /// 50, 2 draws, 300 images per majority class, 2,000 test images, 3 backbone epochs at
        /// batch 32, each checked on 250 test images.
        public static var quick: Options {
            var o = Options()
            o.shots = [10, 50]; o.draws = 2
            o.majorityPerClass = 300; o.testLimit = 2000
            o.backboneEpochs = 3; o.batchSize = 32; o.monitorLimit = 250
            return o
        }
    }

    /// One finished cell.
    public struct Cell: Codable, Sendable {
        /// The draw, counted from 0.
        public var draw: Int
        /// n_f: the training images each minority class kept.
        public var shots: Int
        /// The 5 minority classes of the draw.
        public var minorityClasses: [Int]
        /// Training images of the imbalanced set.
        public var trainingImages: Int
        /// The frozen backbone's own classifier on the whole test set.
        public var backboneTestAccuracy: Double
        /// Every method's figures and the VAE's health.
        public var report: FewShotEvaluation.Report
        /// This cell's wall time (backbone included only when it was trained in this run).
        public var seconds: Double
    }

    /// The protocol's size.
    public let options: Options
    /// Where the cells (`draw-D/nf-N/cell.json`) are written.
    public let directory: URL
    /// Where backbones and their features are cached (by default `directory`).
    public let backbones: URL
    /// A protocol writing into `directory`, caching backbones in `backbones` (default: `directory`).
    public init(options: Options, directory: URL, backbones: URL? = nil) {
        self.options = options; self.directory = directory; self.backbones = backbones ?? directory
    }

    /// Fashion-MNIST's run (the test set cut by `options.testLimit`).
    public func run(train: FashionMNIST, test: FashionMNIST, log: @escaping (String) -> Void = { _ in }) throws -> [Cell] {
        try run(source: FashionMNISTFewShotSource(train: train, test: test, testLimit: options.testLimit, seed: options.seed), log: log)
    }

    /// Runs (or reloads) every cell; `log` gets one line per step.
    ///
    /// Over the processes of a job (`communicator`), rank 0 finds the cells done before, the
    /// others are dealt round-robin (rank r takes every N-th), each process writes its cells'
    /// folders as one process would, and rank 0 gathers the cells and their log lines and
    /// writes every `cell.json`; the cells come back on rank 0 only (empty elsewhere). A cell's
    /// figures do not depend on the process that computed it.
    public func run(source: some FewShotSource, communicator: Communicator = SingleProcess(),
                    log: @escaping (String) -> Void = { _ in }) throws -> [Cell] {
        if let problem = Self.problem(source: source, options: options) { throw FewShotError(reason: problem) }
        guard communicator.size > 1 else { return try runAll(source: source, log: log) }
        let plan = (0..<options.draws).flatMap { draw in options.shots.map { (draw: draw, shots: $0) } }
        func cellURL(_ k: Int) -> URL {
            directory.appendingPathComponent("draw-\(plan[k].draw)/nf-\(plan[k].shots)/cell.json")
        }
        // Rank 0's verdict on what is done: the same cells skipped everywhere.
        var done: [Int: Cell] = [:]
        if communicator.isRoot {
            for k in plan.indices {
                if let data = try? ReadableFile.read(cellURL(k), limit: ReadableFile.Limit.json, what: "a cell"),
                   let cell = try? JSONStyle.decoder().decode(Cell.self, from: data) { done[k] = cell }
            }
        }
        let doneList = try JSONStyle.decoder().decode([Int].self, from: communicator.broadcast(try JSONStyle.encoder().encode(done.keys.sorted())))
        let todo = plan.indices.filter { !doneList.contains($0) }
        var mine: [FinishedCell] = []
        for (n, k) in todo.enumerated() where n % communicator.size == communicator.rank {
            let lines = LineCollector(forwardingTo: communicator.isRoot ? log : nil)
            let cell = try runCell(draw: plan[k].draw, shots: plan[k].shots, source: source, log: lines.add)
            try FileManager.default.createDirectory(at: cellURL(k).deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(JSONStyle.encoder().encode(cell), to: cellURL(k))
            mine.append(FinishedCell(index: k, cell: cell, lines: lines.lines))
        }
        guard let all = try communicator.gather(try JSONStyle.encoder().encode(mine), root: 0) else { return [] }
        for k in doneList { log("draw \(plan[k].draw), n_f \(plan[k].shots): done before, reusing \(cellURL(k).path)") }
        for (rank, data) in all.enumerated() where rank > 0 {
            for finished in try JSONStyle.decoder().decode([FinishedCell].self, from: data) {
                for line in finished.lines { log("[rank \(rank)] " + line) }
                try FileManager.default.createDirectory(at: cellURL(finished.index).deletingLastPathComponent(), withIntermediateDirectories: true)
                try AtomicFile.write(JSONStyle.encoder().encode(finished.cell), to: cellURL(finished.index))
                done[finished.index] = finished.cell
            }
        }
        for finished in mine { done[finished.index] = finished.cell }
        return plan.indices.compactMap { done[$0] }
    }

    /// Every cell in this process, in order.
    func runAll(source: some FewShotSource, log: @escaping (String) -> Void) throws -> [Cell] {
        var cells: [Cell] = []
        for draw in 0..<options.draws {
            for shots in options.shots {
                let folder = directory.appendingPathComponent("draw-\(draw)/nf-\(shots)")
                let cellURL = folder.appendingPathComponent("cell.json")
                if let data = try? ReadableFile.read(cellURL, limit: ReadableFile.Limit.json, what: "a cell"), let cell = try? JSONStyle.decoder().decode(Cell.self, from: data) {
                    log("draw \(draw), n_f \(shots): done before, reusing \(cellURL.path)")
                    cells.append(cell); continue
                }
                let cell = try runCell(draw: draw, shots: shots, source: source, log: log)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try AtomicFile.write(JSONStyle.encoder().encode(cell), to: cellURL)
                cells.append(cell)
            }
        }
        return cells
    }

    /// Why the protocol cannot run on `source` — checked before any backbone trains — or nil:
    /// it draws 5 minority classes and needs at least one majority class beside them, training
    /// images, and test images to score.
    public static func problem(source: some FewShotSource, options: Options) -> String? {
        let classes = source.classNames.count
        if classes < 6 {
            return "\(source.name): \(classes) class\(classes == 1 ? "" : "es"); the protocol draws 5 minority classes and needs at least one majority class beside them (6 or more)"
        }
        let training = source.trainingLabels.count, test = source.testLabels.count
        if training == 0 { return "\(source.name): no training images" }
        if test == 0 { return "\(source.name): no test images to score (K-Fashion: its validation photos)" }
        if source.trainingLabels.contains(where: { $0 < 0 || $0 >= classes }) || source.testLabels.contains(where: { $0 < 0 || $0 >= classes }) {
            return "\(source.name): a label outside its \(classes) classes"
        }
        if options.draws < 1 || options.shots.isEmpty || options.shots.contains(where: { $0 < 1 }) {
            return "draws must be 1 or more and every n_f a positive integer"
        }
        return nil
    }

    /// The training rows of one draw: majority classes subsampled (seeded per draw), then the few-shot split.
    public func rows(draw: Int, shots: Int, labels: [Int], classCount: Int) -> (rows: [Int], split: FewShotSplit) {
        var g = RandomGenerator(seed: options.seed &+ UInt64(draw) &* 1_000_003)
        var pool: [Int] = []
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, l) in labels.enumerated() { byClass[l].append(i) }
        for c in 0..<classCount {
            let members = byClass[c]
            pool += options.majorityPerClass.map { m in g.permutation(members.count).prefix(m).map { members[$0] } } ?? members
        }
        pool.sort()
        let split = FewShotSplit(labels: pool.map { labels[$0] }, classCount: classCount, shots: shots, seed: options.seed &+ UInt64(draw))
        return (split.kept.map { pool[$0] }, split)
    }

    func runCell(draw: Int, shots: Int, source: some FewShotSource, log: @escaping (String) -> Void) throws -> Cell {
        let started = Date()
        let classes = source.classNames
        let (rows, split) = rows(draw: draw, shots: shots, labels: source.trainingLabels, classCount: classes.count)
        let trainLabels = rows.map { source.trainingLabels[$0] }
        let minority = Set(split.minorityClasses)
        log("draw \(draw), n_f \(shots): minority classes \(split.minorityClasses.map { classes[$0] }.joined(separator: ", ")); \(rows.count) training images")

        let folder = backbones.appendingPathComponent("draw-\(draw)/nf-\(shots)")
        let featuresURL = folder.appendingPathComponent("features.safetensors")
        let features: BackboneFeatures
        if FileManager.default.fileExists(atPath: featuresURL.path),
           let cached = try BackboneFeatures.read(from: featuresURL, trainLabels: trainLabels, testCount: source.testLabels.count) {
            log("  backbone features reused from \(featuresURL.path)")
            features = cached
        } else {
            features = try source.backbone(rows: rows, options: options, seed: options.seed &+ UInt64(draw), folder: folder, log: log)
            try features.write(to: featuresURL, trainLabels: trainLabels)
        }
        let testLabels = source.testLabels
        let backboneAccuracy = Double(zip(features.testPredictions, testLabels).filter { $0 == $1 }.count) / Double(max(testLabels.count, 1))
        var evaluation = options.evaluation
        evaluation.seed = options.seed &+ UInt64(draw)
        let report = try FewShotEvaluation(options: evaluation).run(
            train: features.train, trainLabels: trainLabels, test: features.test, testLabels: testLabels, dimension: features.dimension,
            classes: classes, minority: minority, backbonePredictions: features.testPredictions) { log("  " + $0) }
        log(String(format: "  VAE: held-out reconstruction %.4g (mean vector %.4g), KL %.4g nats over %d dimensions",
                   report.vaeTestError, report.meanVectorTestError, report.klPerDimension.reduce(0, +), report.klPerDimension.count))
        return Cell(draw: draw, shots: shots, minorityClasses: split.minorityClasses, trainingImages: rows.count,
                    backboneTestAccuracy: backboneAccuracy, report: report, seconds: Date().timeIntervalSince(started))
    }

    /// The paper's table as data: a row per method, a column per n_f, each cell the mean and
    /// sample standard deviation over draws of `acc_h` and `acc` (fractions), and the draws used.
    public struct Table: Codable, Sendable {
        /// One (method, n_f) cell: means and sample standard deviations over draws.
        public struct Entry: Codable, Sendable {
            /// n_f.
            public var shots: Int
            /// Draws that gave this cell.
            public var draws: Int
            /// `acc_h`'s mean and sample standard deviation (fractions).
            public var harmonicMean: Double, harmonicStd: Double
            /// `acc`'s mean and sample standard deviation (fractions).
            public var accuracyMean: Double, accuracyStd: Double
        }
        /// One method's cells, n_f ascending.
        public struct Row: Codable, Sendable {
            /// `backbone`, `oversampling x30`, `vae-sampling x50`, …
            public var method: String
            /// Its cells, n_f ascending.
            public var cells: [Entry]
        }
        /// The columns: n_f ascending.
        public var shots: [Int]
        /// The rows: one per method.
        public var rows: [Row]

        /// One (method, n_f) cell as a flat record: `table.json` is an array of these, so
        /// `pd.read_json("table.json")` gives one row per cell (`pivot(index="method", columns="shots")`
        /// gives the paper's layout).
        public struct Record: Codable, Equatable, Sendable {
            /// The method.
            public var method: String
            /// n_f.
            public var shots: Int
            /// Draws that gave this cell.
            public var draws: Int
            /// `acc_h`'s mean and sample standard deviation (`acc_h_mean`, `acc_h_std` in JSON).
            public var accHMean: Double, accHStd: Double
            /// `acc`'s mean and sample standard deviation (`acc_mean`, `acc_std` in JSON).
            public var accMean: Double, accStd: Double
        }

        /// The cells as records, rows in order, then n_f ascending.
        public var records: [Record] {
            rows.flatMap { row in row.cells.map {
                Record(method: row.method, shots: $0.shots, draws: $0.draws, accHMean: $0.harmonicMean, accHStd: $0.harmonicStd,
                       accMean: $0.accuracyMean, accStd: $0.accuracyStd)
            } }
        }

        /// A table of these columns and rows.
        public init(shots: [Int], rows: [Row]) { self.shots = shots; self.rows = rows }

        /// The table the records describe (methods in first-seen order).
        public init(records: [Record]) {
            var methods: [String] = []
            for r in records where !methods.contains(r.method) { methods.append(r.method) }
            shots = Array(Set(records.map(\.shots))).sorted()
            rows = methods.map { m in
                Row(method: m, cells: records.filter { $0.method == m }.sorted { $0.shots < $1.shots }.map {
                    Entry(shots: $0.shots, draws: $0.draws, harmonicMean: $0.accHMean, harmonicStd: $0.accHStd,
                          accuracyMean: $0.accMean, accuracyStd: $0.accStd)
                })
            }
        }
    }

    /// ``Table`` from finished cells.
    public static func table(_ cells: [Cell]) -> Table {
        let shots = Array(Set(cells.map(\.shots))).sorted()
        let methods = cells.first?.report.results.map(\.method) ?? []
        func meanStd(_ v: [Double]) -> (Double, Double) {
            guard !v.isEmpty else { return (.nan, .nan) }
            let m = v.reduce(0, +) / Double(v.count)
            return (m, v.count > 1 ? (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0)
        }
        return Table(shots: shots, rows: methods.map { method in
            Table.Row(method: method, cells: shots.map { n in
                let rs = cells.filter { $0.shots == n }.compactMap { $0.report.results.first { $0.method == method } }
                let (hm, hs) = meanStd(rs.map(\.harmonicAccuracy)), (am, sd) = meanStd(rs.map(\.accuracy))
                return Table.Entry(shots: n, draws: rs.count, harmonicMean: hm, harmonicStd: hs, accuracyMean: am, accuracyStd: sd)
            })
        })
    }

    /// The paper's table: rows = methods, columns = n_f, cells = mean ± std over draws of acc_h / acc (in %).
    public static func markdown(_ cells: [Cell], paper: Bool = true) -> String {
        let shots = Array(Set(cells.map(\.shots))).sorted()
        let methods = cells.first?.report.results.map(\.method) ?? []
        func stats(_ v: [Double]) -> String {
            guard !v.isEmpty else { return "–" }
            let m = v.reduce(0, +) / Double(v.count)
            guard v.count > 1 else { return String(format: "%.2f", 100 * m) }   // one draw: no spread to show
            let s = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
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
        // The VAE's health: held-out reconstruction against the training mean vector, KL, active dimensions.
        md += "| VAE held-out error / mean vector's; KL nats (dims > 0.01) |"
        for n in shots {
            let rs = cells.filter { $0.shots == n }.map(\.report)
            let mean = { (v: [Double]) in v.reduce(0, +) / Double(max(v.count, 1)) }
            let active = mean(rs.map { Double($0.klPerDimension.filter { $0 > 0.01 }.count) })
            md += String(format: " %.1f / %.1f; %.1f (%.0f) |", mean(rs.map(\.vaeTestError)), mean(rs.map(\.meanVectorTestError)),
                         mean(rs.map { $0.klPerDimension.reduce(0, +) }), active)
        }
        md += "\n"
        let draws = Set(cells.map(\.draw)).count
        md += draws == 1 ? "\n1 draw of 5 minority classes (one value per cell), in %.\n"
                         : "\n\(draws) draws of 5 minority classes; mean ± sample standard deviation over draws, in %.\n"
        return md
    }
}

/// Why the few-shot protocol cannot run on a data set (found before any training).
public struct FewShotError: Error, CustomStringConvertible, Sendable {
    /// What is missing, naming the data set.
    public let reason: String
    /// The reason.
    public var description: String { reason }
}

/// A cell one process finished, with its log lines, on its way to rank 0.
struct FinishedCell: Codable {
    var index: Int
    var cell: FewShotProtocol.Cell
    var lines: [String]
}

/// Log lines kept (to send to rank 0) and, on rank 0, passed on as they come.
final class LineCollector: @unchecked Sendable {
    private(set) var lines: [String] = []
    private let forward: ((String) -> Void)?
    private let lock = NSLock()
    init(forwardingTo forward: ((String) -> Void)?) { self.forward = forward }
    func add(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        if let forward { forward(line) } else { lines.append(line) }
    }
}
