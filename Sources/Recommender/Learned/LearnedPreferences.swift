import FashionBase
import Foundation

/// The `learned` method: a ``LogisticFactorization`` over the photos' PCA features, its
/// hyper-parameters chosen by K-fold cross-validation on the training answers (folds split
/// within each respondent, chosen by held-out log-loss), then fitted once on every training
/// answer and used to score the validation answers. No validation answer is read before the
/// scoring.
///
/// ```swift
/// let learned = try LearnedPreferences(store: store, pairs: pairs)
/// learned.validationLogits      // log-odds of a like, in pairs.validation's order
/// learned.winner                // the hyper-parameters cross-validation chose
/// ```
public struct LearnedPreferences: Sendable {
    /// The search: every list is a set of candidates.
    public struct Options: Sendable {
        /// Folds of the cross-validation (each respondent's training answers dealt round-robin in a seeded order).
        public var folds = 5
        /// Seed of the folds and of every fit's starting point.
        public var seed: UInt64 = 1
        /// PCA dimensions tried (clipped to what the features allow).
        public var dimensions = [16, 32, 64]
        /// Photo features as they are (false) or their class centroid (true).
        public var centroids = [false, true]
        /// Personal-taste ranks tried (0: biases and population taste only).
        public var ranks = [0, 2, 4, 8, 16]
        /// λ on U and V.
        public var personalDecays = [0.0003, 0.001, 0.003, 0.01]
        /// λ_b on the respondent biases.
        public var biasDecays = [0.00001, 0.0001, 0.001]
        /// Adam's steps and learning rate, the same for every fit.
        public var schedule = LogisticFactorization.Schedule()
        public init() {}
    }

    /// One set of hyper-parameters and its cross-validated log-loss (`metrics.json`'s `cross_validation`).
    public struct Candidate: Sendable, Codable, Hashable {
        /// PCA components of the photo features.
        public var dimension: Int
        /// Whether each photo is replaced by its class centroid.
        public var centroids: Bool
        /// Personal-taste rank.
        public var rank: Int
        /// λ on U and V.
        public var personalDecay: Double
        /// λ_b on the respondent biases.
        public var biasDecay: Double
        /// Mean held-out log-loss over every training answer.
        public var logLoss: Double
        /// The search stage that tried it (1: features and bias decay at rank 0; 2: rank and λ; 3: features again at the chosen rank).
        public var stage: Int
        enum CodingKeys: String, CodingKey {
            case dimension, centroids, rank, personalDecay = "personal_decay", biasDecay = "bias_decay", logLoss = "log_loss", stage
        }
        var variant: PhotoFeatureTable.Variant { .init(dimension: dimension, centroids: centroids) }
        var penalty: LogisticFactorization.Penalty { .init(respondentBias: biasDecay, personal: personalDecay) }
    }

    /// Log-odds of a like for every validation answer, in ``RatedPairs/validation``'s order.
    public let validationLogits: [Double]
    /// Held-out (out-of-fold) log-odds of every training answer under the winner: the leak-free
    /// threshold is chosen on these.
    public let trainingLogits: [Double]
    /// Every candidate tried, in order.
    public let grid: [Candidate]
    /// The candidate with the lowest cross-validated log-loss (the first on ties).
    public let winner: Candidate
    /// Validation answers by respondents without training answers (scored by the population model).
    public let populationScored: Int
    /// Validation answers about photos without features (scored by the biases alone).
    public let photoMissing: Int
    /// The final model.
    public let model: LogisticFactorization

    /// Cross-validates, fits and scores.
    public init(store: FeatureStore, pairs: RatedPairs, options: Options = Options()) throws {
        precondition(options.folds >= 2, "LearnedPreferences: at least 2 folds")
        // An empty list of candidates means its simplest value.
        var options = options
        if options.dimensions.isEmpty { options.dimensions = [0] }
        if options.centroids.isEmpty { options.centroids = [false] }
        if options.ranks.isEmpty { options.ranks = [0] }
        if options.personalDecays.isEmpty { options.personalDecays = [0] }
        if options.biasDecays.isEmpty { options.biasDecays = [0] }
        let stems = Array(Set(pairs.training.map(\.stem)).union(pairs.validation.map(\.stem))).sorted()
        let basis = try PhotoFeatureTable.Basis(store: store, largest: options.dimensions.max() ?? 0)
        var tables: [PhotoFeatureTable.Variant: PhotoFeatureTable] = [:]
        func table(_ v: PhotoFeatureTable.Variant) -> PhotoFeatureTable {
            let key = PhotoFeatureTable.Variant(dimension: min(v.dimension, basis.width), centroids: v.centroids)
            if let t = tables[key] { return t }
            let t = PhotoFeatureTable(stems: stems, basis: basis, variant: key)
            tables[key] = t
            return t
        }
        let folds = LearnedPreferences.folds(pairs.training, count: options.folds, seed: options.seed)
        // Per fold: the training answers fitted on and those held out.
        let heldOutOf = (0..<options.folds).map { f in pairs.training.indices.filter { folds[$0] == f } }
        let fittedOn = (0..<options.folds).map { f in pairs.training.indices.filter { folds[$0] != f } }
        // Every candidate tried, with its held-out logits (same index).
        var grid: [Candidate] = [], heldOut: [[Double]] = []
        func evaluate(_ candidates: [Candidate]) {
            // Collapse dimensions the features cannot give (64 of a 20-d store is 20) and repeats.
            var seen = Set(grid.map { Candidate(dimension: $0.dimension, centroids: $0.centroids, rank: $0.rank, personalDecay: $0.personalDecay,
                                                biasDecay: $0.biasDecay, logLoss: 0, stage: 0) })
            var todo: [Candidate] = []
            for var c in candidates {
                c.dimension = min(c.dimension, basis.width)
                if c.dimension == 0 { c.centroids = false }
                if c.rank == 0 { c.personalDecay = 0 }
                var key = c; key.logLoss = 0; key.stage = 0
                if seen.insert(key).inserted { todo.append(c) }
            }
            let jobs = todo.indices.flatMap { c in (0..<options.folds).map { (c, $0) } }
            let results = JobResults(count: jobs.count)
            let tablesNow = todo.map { table($0.variant) }
            // Jobs differ in cost (rank 8 against rank 0): each worker takes every `workers`-th.
            let workers = min(Threading.coreCount, jobs.count)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
              for j in stride(from: w, to: jobs.count, by: workers) {
                let (ci, fold) = jobs[j]
                let c = todo[ci], t = tablesNow[ci]
                let model = LearnedPreferences.fit(pairs.training, fittedOn[fold], table: t, rank: c.rank, penalty: c.penalty,
                                                   schedule: options.schedule, seed: options.seed)
                results.set(j, model.logits(of: pairs.training, heldOutOf[fold], table: t))
              }
            }
            for (ci, var c) in todo.enumerated() {
                var logits = [Double](repeating: 0, count: pairs.training.count)
                for fold in 0..<options.folds {
                    for (k, i) in heldOutOf[fold].enumerated() { logits[i] = results.values[ci * options.folds + fold][k] }
                }
                c.logLoss = LearnedPreferences.logLoss(logits: logits, answers: pairs.training)
                grid.append(c); heldOut.append(logits)
            }
        }
        // The first of the lowest log-loss (stage 1 always adds at least one candidate); a
        // non-finite loss (a fit that diverged) is never chosen over a finite one.
        func bestIndex() -> Int {
            func loss(_ i: Int) -> Double { grid[i].logLoss.isFinite ? grid[i].logLoss : .infinity }
            return grid.indices.min { loss($0) < loss($1) } ?? 0
        }
        func best() -> Candidate { grid[bestIndex()] }
        // Stage 1: the features and the bias decay, without a personal taste.
        evaluate(options.dimensions.flatMap { d in options.centroids.flatMap { c in options.biasDecays.map { b in
            Candidate(dimension: d, centroids: c, rank: 0, personalDecay: 0, biasDecay: b, logLoss: 0, stage: 1) } } })
        // Stage 2: rank and λ on those features.
        let first = best()
        evaluate(options.ranks.filter { $0 > 0 }.flatMap { r in options.personalDecays.map { l in
            Candidate(dimension: first.dimension, centroids: first.centroids, rank: r, personalDecay: l, biasDecay: first.biasDecay, logLoss: 0, stage: 2) } })
        // Stage 3: the features again, at the chosen rank and λ (a personal taste may want more components).
        let second = best()
        if second.rank > 0 {
            evaluate(options.dimensions.flatMap { d in options.centroids.map { c in
                Candidate(dimension: d, centroids: c, rank: second.rank, personalDecay: second.personalDecay, biasDecay: second.biasDecay, logLoss: 0, stage: 3) } })
        }
        let winnerIndex = bestIndex(), winner = grid[winnerIndex]
        let t = table(winner.variant)
        let model = LearnedPreferences.fit(pairs.training, Array(pairs.training.indices), table: t, rank: winner.rank, penalty: winner.penalty,
                                           schedule: options.schedule, seed: options.seed)
        self.model = model.model
        self.validationLogits = model.logits(of: pairs.validation, Array(pairs.validation.indices), table: t)
        self.trainingLogits = heldOut[winnerIndex]
        self.grid = grid
        self.winner = winner
        let known = Set(pairs.training.map(\.respondent))
        populationScored = pairs.validation.count { !known.contains($0.respondent) }
        photoMissing = pairs.validation.count { t.row(of: $0.stem) < 0 }
    }

    /// Each training answer's fold: every respondent's answers in a seeded order, dealt round-robin
    /// (a respondent with fewer answers than folds is in as many folds as answers).
    static func folds(_ answers: [RatedPairs.Answer], count: Int, seed: UInt64) -> [Int] {
        var rng = RandomGenerator(seed: seed)
        var byRespondent: [Int: [Int]] = [:], order: [Int] = []
        for (i, a) in answers.enumerated() {
            if byRespondent[a.respondent] == nil { order.append(a.respondent) }
            byRespondent[a.respondent, default: []].append(i)
        }
        var fold = [Int](repeating: 0, count: answers.count)
        var start = 0
        for r in order {
            guard let own = byRespondent[r] else { continue }
            let permutation = rng.permutation(own.count)
            // The first fold of each respondent rotates, so one-answer respondents spread over all folds.
            for (k, p) in permutation.enumerated() { fold[own[p]] = (start + k) % count }
            start = (start + own.count) % count
        }
        return fold
    }

    /// A model fitted to `answers[indices]` with respondents numbered in order of first answer.
    struct Fitted {
        var model: LogisticFactorization
        var respondentRow: [Int: Int32]
        func logits(of answers: [RatedPairs.Answer], _ indices: [Int], table: PhotoFeatureTable) -> [Double] {
            model.logits(LearnedPreferences.encode(answers, indices, respondentRow: respondentRow, table: table), features: table.features)
        }
    }

    static func fit(_ answers: [RatedPairs.Answer], _ indices: [Int], table: PhotoFeatureTable, rank: Int,
                    penalty: LogisticFactorization.Penalty, schedule: LogisticFactorization.Schedule, seed: UInt64) -> Fitted {
        var respondentRow: [Int: Int32] = [:]
        for i in indices where respondentRow[answers[i].respondent] == nil {
            respondentRow[answers[i].respondent] = Int32(respondentRow.count)
        }
        let encoded = encode(answers, indices, respondentRow: respondentRow, table: table)
        let likeRate = encoded.liked.isEmpty ? 0.5 : encoded.liked.reduce(0, +) / Double(encoded.liked.count)
        let shape = LogisticFactorization.Shape(respondents: respondentRow.count, dimension: table.features.dimension, rank: rank)
        var model = LogisticFactorization(shape: shape, likeRate: likeRate, seed: seed)
        model.fit(encoded, features: table.features, penalty: penalty, schedule: schedule)
        return Fitted(model: model, respondentRow: respondentRow)
    }

    static func encode(_ answers: [RatedPairs.Answer], _ indices: [Int], respondentRow: [Int: Int32],
                       table: PhotoFeatureTable) -> LogisticFactorization.Answers {
        LogisticFactorization.Answers(respondent: indices.map { respondentRow[answers[$0].respondent] ?? -1 },
                                      photo: indices.map { table.row(of: answers[$0].stem) },
                                      liked: indices.map { answers[$0].liked ? 1 : 0 })
    }

    static func logLoss(logits: [Double], answers: [RatedPairs.Answer]) -> Double {
        guard !logits.isEmpty else { return 0 }
        var s = 0.0
        for (z, a) in zip(logits, answers) { s += (z > 0 ? z : 0) + log1p(exp(-abs(z))) - (a.liked ? z : 0) }
        return s / Double(logits.count)
    }
}

/// The held-out logits of parallel jobs, one slot each, written under a lock.
final class JobResults: @unchecked Sendable {
    private(set) var values: [[Double]]
    private let lock = NSLock()
    init(count: Int) { values = [[Double]](repeating: [], count: count) }
    func set(_ j: Int, _ v: [Double]) { lock.lock(); values[j] = v; lock.unlock() }
}
