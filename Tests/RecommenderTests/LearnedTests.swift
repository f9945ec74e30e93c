import Foundation
import Testing
import Tensor
@testable import Recommender

/// PyTorch's replay of the learned model (Tools/make_learned_reference.py → Reference/learned.json).
struct LearnedReference: Decodable {
    let respondents: Int, photos: Int, dimension: Int, rank: Int
    let features: [Double], respondent: [Int32], photo: [Int32], liked: [Double]
    let bias_decay: Double, personal_decay: Double, learning_rate: Double, steps: Int
    let initial: [Double], initial_loss: Double, initial_gradient: [Double]
    let losses: [Double], fitted: [Double], fitted_logits: [Double]

    static let loaded: LearnedReference = {
        let url = Bundle.module.url(forResource: "Reference/learned", withExtension: "json")!
        return try! JSONDecoder().decode(LearnedReference.self, from: Data(contentsOf: url))
    }()
    var shape: LogisticFactorization.Shape { .init(respondents: respondents, dimension: dimension, rank: rank) }
    var answers: LogisticFactorization.Answers { .init(respondent: respondent, photo: photo, liked: liked) }
    var table: LogisticFactorization.Features { .init(values: features, dimension: dimension) }
    var penalty: LogisticFactorization.Penalty { .init(respondentBias: bias_decay, personal: personal_decay) }
}

@Suite struct LearnedTests {
    typealias A = RatedPairs.Answer

    /// Loss and gradient at the starting point against PyTorch's autograd. Both sides compute in
    /// Double over 40 answers of ≤ 9 terms: the rounding differences are ~1e-15 relative;
    /// 1e-12 leaves three orders of magnitude and still catches any wrong term.
    @Test func lossAndGradientMatchPyTorch() {
        let ref = LearnedReference.loaded
        let model = LogisticFactorization(shape: ref.shape, parameters: ref.initial)
        let (loss, gradient) = model.lossAndGradient(ref.answers, features: ref.table, penalty: ref.penalty)
        #expect(abs(loss - ref.initial_loss) <= 1e-12 * abs(ref.initial_loss))
        #expect(gradient.count == ref.initial_gradient.count)
        for (g, e) in zip(gradient, ref.initial_gradient) { #expect(abs(g - e) <= 1e-12 * max(1, abs(e))) }
    }

    /// 60 Adam steps against torch.optim.Adam: every loss along the way and the fitted
    /// probabilities within 1e-4 (the bound; Double keeps them ~1e-12 apart).
    @Test func adamFitMatchesPyTorch() {
        let ref = LearnedReference.loaded
        var model = LogisticFactorization(shape: ref.shape, parameters: ref.initial)
        let losses = model.fit(ref.answers, features: ref.table, penalty: ref.penalty,
                               schedule: .init(steps: ref.steps, learningRate: ref.learning_rate))
        #expect(losses.count == ref.losses.count)
        for (l, e) in zip(losses, ref.losses) { #expect(abs(l - e) <= 1e-9) }
        let z = model.logits(ref.answers, features: ref.table)
        for (zi, ei) in zip(z, ref.fitted_logits) {
            #expect(abs(1 / (1 + exp(-zi)) - 1 / (1 + exp(-ei))) <= 1e-4)
        }
        for (p, e) in zip(model.parameters, ref.fitted) { #expect(abs(p - e) <= 1e-6 * max(1, abs(e))) }
    }

    /// Central finite differences of the objective against the analytic gradient at a random
    /// point (Double, step 1e-5: truncation error ~1e-10 × third derivative; bound 1e-6).
    @Test func gradientMatchesFiniteDifferences() {
        let ref = LearnedReference.loaded
        var g = RandomGenerator(seed: 5)
        let point = ref.initial.map { $0 + 0.3 * Double(g.normal()) }
        let model = LogisticFactorization(shape: ref.shape, parameters: point)
        let (_, gradient) = model.lossAndGradient(ref.answers, features: ref.table, penalty: ref.penalty)
        let h = 1e-5
        for j in point.indices {
            var plus = model, minus = model
            plus.parameters[j] += h; minus.parameters[j] -= h
            let numeric = (plus.lossAndGradient(ref.answers, features: ref.table, penalty: ref.penalty).loss
                           - minus.lossAndGradient(ref.answers, features: ref.table, penalty: ref.penalty).loss) / (2 * h)
            #expect(abs(numeric - gradient[j]) <= 1e-6, "parameter \(j)")
        }
    }

    /// Huge logits neither overflow nor give NaN: loss ~|z|, gradient bounded.
    @Test func extremeLogitsStayFinite() {
        let shape = LogisticFactorization.Shape(respondents: 1, dimension: 1, rank: 0)
        for c in [800.0, -800.0] {
            let model = LogisticFactorization(shape: shape, parameters: [c, 0, 0])
            let answers = LogisticFactorization.Answers(respondent: [0, 0], photo: [0, -1], liked: [1, 0])
            let (loss, gradient) = model.lossAndGradient(answers, features: .init(values: [1], dimension: 1), penalty: .init(respondentBias: 0, personal: 0))
            #expect(loss.isFinite && abs(loss - 400) < 1e-9)
            #expect(gradient.allSatisfy { $0.isFinite && abs($0) <= 1 })
        }
    }

    /// A planted model: 240 respondents with rank-2 tastes over 8-d photo features. Cross-validation
    /// must find rank 2 among 0, 1, 2 and 4, and the fitted model must beat the population model
    /// on held-out answers and come within 6 points (20 answers per respondent leave u_r noisy) of the planted probabilities' Bayes accuracy.
    @Test func plantedRankIsRecovered() throws {
        var g = RandomGenerator(seed: 21)
        let d = 8, photos = 60, respondents = 240
        let stems = (0..<photos).map { String(format: "W_%05d_50_ivy_M", $0) }
        let values = (0..<(photos * d)).map { _ in g.normal() }
        let store = try FeatureStore(stems: stems, values: values, dimension: d)
        let v = (0..<(2 * d)).map { _ in Double(g.normal()) }
        var training: [A] = [], validation: [A] = [], bayes = 0
        for r in 0..<respondents {
            let u = [Double(g.normal()) * 1.5, Double(g.normal()) * 1.5]
            for k in 0..<24 {
                let i = g.int(below: photos)
                var z = 0.0
                for a in 0..<2 { for j in 0..<d { z += u[a] * v[a * d + j] * Double(values[i * d + j]) } }
                let liked = Double(g.uniform()) < 1 / (1 + exp(-z))
                let answer = A(respondent: r, stem: stems[i], imageFileName: stems[i] + ".jpg", labelFile: "\(r)-\(k).json", liked: liked)
                if k < 4 { validation.append(answer); if (z > 0) == liked { bayes += 1 } } else { training.append(answer) }
            }
        }
        var options = LearnedPreferences.Options()
        options.dimensions = [d]; options.centroids = [false]; options.ranks = [0, 1, 2, 4]
        options.personalDecays = [0.003]; options.biasDecays = [0.01]
        let learned = try LearnedPreferences(store: store, pairs: RatedPairs(training: training, validation: validation), options: options)
        // Held-out log-loss here: rank 0 0.692, 1 0.467, 2 0.357, 4 0.365 — a margin of 0.008 for rank 2,
        // ten orders of magnitude above what BLAS kernels' summation order moves.
        #expect(learned.winner.rank == 2, "\(learned.grid)")
        let labels = validation.map(\.liked)
        let right = zip(learned.validationLogits, labels).count { ($0.0 > 0) == $0.1 }
        #expect(Double(right) >= Double(bayes) - 0.06 * Double(validation.count), "\(right) vs Bayes \(bayes) of \(validation.count)")
        let rank0 = learned.grid.first { $0.rank == 0 }!, best = learned.winner
        #expect(best.logLoss < rank0.logLoss - 0.05)
    }

    /// No validation answer is read while fitting: permuting the validation labels changes the
    /// accuracy and nothing else — the same grid, winner, model and logits.
    @Test func validationLabelsAreNeverRead() throws {
        let (store, pairs) = Self.smallSet()
        var options = LearnedPreferences.Options()
        options.dimensions = [4]; options.ranks = [0, 2]; options.personalDecays = [0.01]; options.biasDecays = [0.01]
        let a = try LearnedPreferences(store: store, pairs: pairs, options: options)
        let flipped = pairs.validation.map { var x = $0; x.liked.toggle(); return x }
        let b = try LearnedPreferences(store: store, pairs: RatedPairs(training: pairs.training, validation: flipped), options: options)
        #expect(a.validationLogits == b.validationLogits)
        #expect(a.trainingLogits == b.trainingLogits)
        #expect(a.grid == b.grid && a.model == b.model)
    }

    /// Respondents with answers only in validation get the population model, photos without
    /// features the biases; a features file of one row gives a model of biases alone — never a NaN.
    @Test func unknownRespondentsMissingPhotosAndOneRowStores() throws {
        let (store, pairs) = Self.smallSet()
        let stranger = A(respondent: 999, stem: store.stems[0], imageFileName: "x.jpg", labelFile: "s.json", liked: true)
        let noPhoto = A(respondent: pairs.training[0].respondent, stem: "T_77777_50_ivy_M", imageFileName: "y.jpg", labelFile: "n.json", liked: false)
        let extended = RatedPairs(training: pairs.training, validation: pairs.validation + [stranger, noPhoto])
        var options = LearnedPreferences.Options()
        options.dimensions = [4]; options.ranks = [0, 2]; options.personalDecays = [0.01]; options.biasDecays = [0.01]
        let l = try LearnedPreferences(store: store, pairs: extended, options: options)
        #expect(l.populationScored == 1 && l.photoMissing == 1)
        #expect(l.validationLogits.allSatisfy { $0.isFinite })
        let one = try FeatureStore(stems: [store.stems[0]], values: Array(store.raw.prefix(store.dimension)), dimension: store.dimension)
        let o = try LearnedPreferences(store: one, pairs: extended, options: options)
        #expect(o.winner.dimension == 0 && o.validationLogits.allSatisfy { $0.isFinite } && o.trainingLogits.allSatisfy { $0.isFinite })
    }

    /// Folds split within each respondent: every respondent with ≥ K answers is in every fold,
    /// and the fold sizes differ by at most one.
    @Test func foldsSplitWithinRespondents() {
        let (_, pairs) = Self.smallSet()
        let folds = LearnedPreferences.folds(pairs.training, count: 5, seed: 1)
        for (_, own) in pairs.trainingByRespondent {
            let seen = Set(own.map { folds[$0] })
            #expect(seen.count == min(5, own.count))
        }
        let sizes = (0..<5).map { f in folds.count { $0 == f } }
        #expect(sizes.max()! - sizes.min()! <= 1)
    }

    /// The photo table: whitened PCA columns of the store have unit variance (denominator
    /// n − 1) over its rows, centroid rows are their class's mean, and photos the store lacks get row −1.
    @Test func photoTableWhitensAndAveragesClasses() throws {
        let (store, _) = Self.smallSet()
        let basis = try PhotoFeatureTable.Basis(store: store, largest: 4)
        #expect(basis.width == 4)
        let plain = PhotoFeatureTable(stems: store.stems + ["T_77777_50_ivy_M"], basis: basis, variant: .init(dimension: 4, centroids: false))
        #expect(plain.row(of: "T_77777_50_ivy_M") == -1 && plain.features.count == store.count)
        for j in 0..<4 {
            let column = (0..<store.count).map { plain.features.values[$0 * 4 + j] }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count - 1)
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)   // PCA works in Float: ~1e-6 relative
        }
        let centroids = PhotoFeatureTable(stems: store.stems, basis: basis, variant: .init(dimension: 3, centroids: true))
        for style in ["ivy", "kitsch"] {
            let rows = store.stems.indices.filter { store.stems[$0].contains(style) }
            for j in 0..<3 {
                let mean = rows.map { plain.features.values[$0 * 4 + j] }.reduce(0, +) / Double(rows.count)
                for r in rows { #expect(abs(centroids.features.values[r * 3 + j] - mean) < 1e-12) }
            }
        }
    }

    /// Accuracy by the respondent's number of training answers: the bounds as the issue names
    /// them, empty buckets kept (accuracy nil), each answer counted once at the given threshold.
    @Test func bucketsByTrainingAnswers() {
        let counts = [0, 5, 6, 10, 11, 20, 21, 50, 51, 400]
        let labels = [true, false, true, true, false, false, true, true, false, true]
        let scores = [1.0, 1.0, -1, 1, -1, -1, 1, -1, 0.5, 0.5]
        let table = TrainingAnswerBucket.table(labels: labels, scores: scores, threshold: 0.5, trainingAnswers: counts)
        #expect(table.map(\.trainingAnswers) == ["0-5", "6-10", "11-20", "21-50", ">50"])
        #expect(table.map(\.pairs) == [2, 2, 2, 2, 2])
        #expect(table.map(\.accuracy) == [0.5, 0.5, 1, 0.5, 0.5])
        #expect(TrainingAnswerBucket.table(labels: [], scores: [], threshold: 0, trainingAnswers: []).allSatisfy { $0.accuracy == nil })
    }

    static func smallSet() -> (FeatureStore, RatedPairs) {
        var g = RandomGenerator(seed: 8)
        let d = 6, photos = 20
        let stems = (0..<photos).map { String(format: "W_%05d_50_%@_M", $0, $0 % 2 == 0 ? "ivy" : "kitsch") }
        let values = (0..<(photos * d)).map { _ in g.normal() }
        let store = try! FeatureStore(stems: stems, values: values, dimension: d)
        var training: [A] = [], validation: [A] = []
        for r in 0..<30 {
            for k in 0..<(3 + r % 7) {
                let i = g.int(below: photos)
                let a = A(respondent: r, stem: stems[i], imageFileName: stems[i] + ".jpg", labelFile: "\(r)-\(k).json",
                          liked: values[i * d] + 0.5 * g.normal() > 0)
                if k == 0 { validation.append(a) } else { training.append(a) }
            }
        }
        return (store, RatedPairs(training: training, validation: validation))
    }
}
