import FashionBase
import Foundation
import Tensor

/// A learned preference model: the probability that respondent r likes photo i is
///
///     σ(c + b_r + w·φ_i + u_r·(V φ_i))
///
/// — a global bias c, a respondent bias b_r, a population taste w over the photo's features
/// φ_i, and a personal taste of low rank: u_r (``Shape/rank`` numbers per respondent) times a
/// shared projection V (`rank × dimension`). A respondent the model has no row for (no
/// training answer) gets the population model c + w·φ_i; a photo without features gets φ = 0,
/// the mean of the (centred) features, so only the biases speak for it.
///
/// It is fitted by minimising the mean log-loss plus `λ_b/2·‖b‖² + λ/2·(‖U‖² + ‖V‖²)`
/// (``Penalty``); the loss and its gradient are written out by hand below, forward beside
/// backward, in Double — the model is a few gathered dot products, and a replay in PyTorch's
/// autograd (Tools/make_learned_reference.py) checks both.
public struct LogisticFactorization: Sendable, Equatable {
    /// The sizes of the model.
    public struct Shape: Sendable, Equatable, Hashable {
        /// Respondents with a row (b_r, u_r).
        public var respondents: Int
        /// Features per photo (the length of φ).
        public var dimension: Int
        /// Personal-taste rank (0: biases and population taste only).
        public var rank: Int
        public init(respondents: Int, dimension: Int, rank: Int) {
            self.respondents = respondents; self.dimension = dimension; self.rank = rank
        }
        /// Numbers in the flat parameter vector: c, b, U, w, V.
        public var parameterCount: Int { 1 + respondents + respondents * rank + (1 + rank) * dimension }
        var biasOffset: Int { 1 }
        var personalOffset: Int { 1 + respondents }
        /// w, then V's rows: one `(1 + rank) × dimension` matrix.
        var tasteOffset: Int { 1 + respondents + respondents * rank }
        var projectionOffset: Int { tasteOffset + dimension }
    }

    /// The weight decays of the objective.
    public struct Penalty: Sendable, Equatable, Hashable, Codable {
        /// λ_b on the respondent biases.
        public var respondentBias: Double
        /// λ on the personal tastes U and the projection V.
        public var personal: Double
        public init(respondentBias: Double, personal: Double) { self.respondentBias = respondentBias; self.personal = personal }
    }

    /// Answers to fit or score: parallel arrays, one entry per answer.
    public struct Answers: Sendable, Equatable {
        /// Row of the respondent in the model, or −1 for one without a row (the population model).
        public var respondent: [Int32]
        /// Row of the photo in the feature table, or −1 for a photo without features (φ = 0).
        public var photo: [Int32]
        /// 1 for a like, 0 for a dislike (unused when scoring).
        public var liked: [Double]
        /// Answers held.
        public var count: Int { respondent.count }
        public init(respondent: [Int32], photo: [Int32], liked: [Double]) {
            precondition(respondent.count == photo.count && photo.count == liked.count, "Answers: arrays of different lengths")
            self.respondent = respondent; self.photo = photo; self.liked = liked
        }
        /// The answers at `indices`, in that order.
        public func subset(_ indices: [Int]) -> Answers {
            Answers(respondent: indices.map { respondent[$0] }, photo: indices.map { photo[$0] }, liked: indices.map { liked[$0] })
        }
    }

    /// The photos' features: `count × dimension`, row-major.
    public struct Features: Sendable, Equatable {
        /// `count × dimension` values, row-major.
        public var values: [Double]
        /// Values per photo.
        public var dimension: Int
        /// Photos (rows); given separately so a table of dimension 0 still knows its photos.
        public var count: Int
        /// `count` is needed only when `dimension` is 0.
        public init(values: [Double], dimension: Int, count: Int? = nil) {
            precondition(dimension == 0 ? values.isEmpty : values.count % dimension == 0, "Features: \(values.count) values are not rows of \(dimension)")
            self.values = values; self.dimension = dimension
            self.count = dimension == 0 ? (count ?? 0) : values.count / dimension
        }
    }

    /// The sizes.
    public let shape: Shape
    /// c, then b (one per respondent), U (`respondents × rank`, row-major), w (`dimension`) and
    /// V (`rank × dimension`) — w and V together one `(1 + rank) × dimension` matrix.
    public var parameters: [Double]

    /// A model with the given parameters (``Shape/parameterCount`` of them).
    public init(shape: Shape, parameters: [Double]) {
        precondition(parameters.count == shape.parameterCount, "LogisticFactorization: \(parameters.count) parameters for \(shape)")
        self.shape = shape; self.parameters = parameters
    }

    /// The starting point of a fit: c the log-odds of `likeRate`, b and w zero, U and V drawn
    /// from N(0, `scale`²) by `seed` (a personal taste must start off zero: at U = V = 0 its
    /// gradient is zero too).
    public init(shape: Shape, likeRate: Double, seed: UInt64, scale: Double = 0.1) {
        var p = [Double](repeating: 0, count: shape.parameterCount)
        let rate = min(max(likeRate, 1e-3), 1 - 1e-3)
        p[0] = log(rate / (1 - rate))
        var rng = RandomGenerator(seed: seed)
        for j in shape.personalOffset..<shape.tasteOffset { p[j] = scale * Double(rng.normal()) }
        for j in shape.projectionOffset..<shape.parameterCount { p[j] = scale * Double(rng.normal()) }
        self.init(shape: shape, parameters: p)
    }

    /// The log-odds of a like for each answer.
    public func logits(_ answers: Answers, features: Features) -> [Double] {
        precondition(features.dimension == shape.dimension, "logits: features of \(features.dimension), model of \(shape.dimension)")
        let terms = photoTerms(features)
        let k = shape.rank, width = 1 + k, p = parameters
        return (0..<answers.count).map { n in
            let r = Int(answers.respondent[n]), i = Int(answers.photo[n])
            var z = p[0] + (i >= 0 ? terms[i * width] : 0)
            if r >= 0 {
                z += p[shape.biasOffset + r]
                if i >= 0 { for a in 0..<k { z += p[shape.personalOffset + r * k + a] * terms[i * width + 1 + a] } }
            }
            return z
        }
    }

    /// [w·φ_i, V φ_i] for every photo: `count × (1 + rank)`, row-major (one GEMM).
    func photoTerms(_ features: Features) -> [Double] {
        let d = shape.dimension, width = 1 + shape.rank, count = features.count
        var terms = [Double](repeating: 0, count: count * width)
        guard d > 0 else { return terms }
        parameters.withUnsafeBufferPointer { p in
            features.values.withUnsafeBufferPointer { phi in
                terms.withUnsafeMutableBufferPointer { t in
                    GEMM.dgemm(transposeB: true, m: count, n: width, k: d, a: phi.baseAddress!, lda: d,
                               b: p.baseAddress! + shape.tasteOffset, ldb: d, c: t.baseAddress!, ldc: width)
                }
            }
        }
        return terms
    }

    /// The objective — mean log-loss over `answers` plus the penalty — and its gradient with
    /// respect to ``parameters``.
    ///
    /// Forward: z_n = c + b_r + w·φ_i + u_r·q_i with q_i = V φ_i; loss = mean(softplus(z) − y z).
    /// Backward: g_n = (σ(z_n) − y_n)/N; ∂c = Σ g; ∂b_r = Σ_{n∈r} g + λ_b b_r; ∂u_r = Σ_{n∈r} g q_i + λ u_r;
    /// ∂q_i = Σ_{n∈i} g u_r; ∂w = Σ_i (Σ_{n∈i} g) φ_i; ∂V = Σ_i ∂q_i φ_iᵀ + λ V.
    public func lossAndGradient(_ answers: Answers, features: Features, penalty: Penalty) -> (loss: Double, gradient: [Double]) {
        precondition(features.dimension == shape.dimension, "lossAndGradient: features of \(features.dimension), model of \(shape.dimension)")
        let d = shape.dimension, k = shape.rank, width = 1 + k, count = features.count, n = answers.count
        let terms = photoTerms(features)
        var gradient = [Double](repeating: 0, count: parameters.count)
        var termGradient = [Double](repeating: 0, count: count * width)   // [Σ_{n∈i} g, ∂q_i] per photo
        var loss = 0.0
        let scale = n > 0 ? 1 / Double(n) : 0
        let bo = shape.biasOffset, uo = shape.personalOffset, wo = shape.tasteOffset, vo = shape.projectionOffset
        parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { grad in
                for m in 0..<n {
                    let r = Int(answers.respondent[m]), i = Int(answers.photo[m]), y = answers.liked[m]
                    var z = p[0] + (i >= 0 ? terms[i * width] : 0)
                    if r >= 0 {
                        z += p[bo + r]
                        if i >= 0 { for a in 0..<k { z += p[uo + r * k + a] * terms[i * width + 1 + a] } }
                    }
                    // softplus(z) − y z, and σ(z), without overflow for any z.
                    let e = exp(-abs(z))
                    loss += (z > 0 ? z : 0) + log1p(e) - y * z
                    let sigma = z >= 0 ? 1 / (1 + e) : e / (1 + e)
                    let g = (sigma - y) * scale
                    grad[0] += g
                    if i >= 0 { termGradient[i * width] += g }
                    if r >= 0 {
                        grad[bo + r] += g
                        if i >= 0 {
                            for a in 0..<k {
                                grad[uo + r * k + a] += g * terms[i * width + 1 + a]
                                termGradient[i * width + 1 + a] += g * p[uo + r * k + a]
                            }
                        }
                    }
                }
                // [∂w; ∂V] = (per-photo term gradients)ᵀ Φ, one GEMM.
                if d > 0 && count > 0 {
                    features.values.withUnsafeBufferPointer { phi in
                        termGradient.withUnsafeBufferPointer { tg in
                            GEMM.dgemm(transposeA: true, m: width, n: d, k: count, a: tg.baseAddress!, lda: width,
                                       b: phi.baseAddress!, ldb: d, c: grad.baseAddress! + wo, ldc: d)
                        }
                    }
                }
                // The penalties.
                var penaltySum = 0.0
                for r in 0..<shape.respondents {
                    let b = p[bo + r]
                    penaltySum += 0.5 * penalty.respondentBias * b * b
                    grad[bo + r] += penalty.respondentBias * b
                }
                for j in uo..<uo + shape.respondents * k {
                    penaltySum += 0.5 * penalty.personal * p[j] * p[j]
                    grad[j] += penalty.personal * p[j]
                }
                for j in vo..<vo + k * d {
                    penaltySum += 0.5 * penalty.personal * p[j] * p[j]
                    grad[j] += penalty.personal * p[j]
                }
                loss = loss * scale + penaltySum
            }
        }
        return (loss, gradient)
    }

    /// Mean log-loss of `answers` (no penalty): what cross-validation compares.
    public func logLoss(_ answers: Answers, features: Features) -> Double {
        let z = logits(answers, features: features)
        guard !z.isEmpty else { return 0 }
        var s = 0.0
        for (zn, y) in zip(z, answers.liked) { s += (zn > 0 ? zn : 0) + log1p(exp(-abs(zn))) - y * zn }
        return s / Double(z.count)
    }
}

extension LogisticFactorization {
    /// How a fit runs: full-batch Adam (PyTorch's update, no weight decay of its own — the
    /// penalty is in the objective) for a fixed number of steps.
    public struct Schedule: Sendable, Equatable, Hashable, Codable {
        /// Full-batch steps.
        public var steps: Int
        /// Adam's step size.
        public var learningRate: Double
        /// Adam's moment decays and ε, PyTorch's defaults.
        public var beta1 = 0.9, beta2 = 0.999, eps = 1e-8
        public init(steps: Int = 300, learningRate: Double = 0.05) { self.steps = steps; self.learningRate = learningRate }
    }

    /// Fits the parameters to `answers` from their current values; returns the objective after each step's gradient.
    @discardableResult
    public mutating func fit(_ answers: Answers, features: Features, penalty: Penalty, schedule: Schedule) -> [Double] {
        let count = parameters.count
        var m = [Double](repeating: 0, count: count), v = [Double](repeating: 0, count: count)
        var losses: [Double] = []
        losses.reserveCapacity(schedule.steps)
        for t in stride(from: 1, through: schedule.steps, by: 1) {
            let (loss, g) = lossAndGradient(answers, features: features, penalty: penalty)
            losses.append(loss)
            let bc1 = 1 - pow(schedule.beta1, Double(t)), bc2 = 1 - pow(schedule.beta2, Double(t))
            let stepSize = schedule.learningRate / bc1, bc2Sqrt = bc2.squareRoot()
            for j in 0..<count {
                m[j] = schedule.beta1 * m[j] + (1 - schedule.beta1) * g[j]
                v[j] = schedule.beta2 * v[j] + (1 - schedule.beta2) * g[j] * g[j]
                parameters[j] -= stepSize * m[j] / (v[j].squareRoot() / bc2Sqrt + schedule.eps)
            }
        }
        return losses
    }
}
