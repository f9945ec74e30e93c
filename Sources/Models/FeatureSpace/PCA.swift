import Tensor

/// Principal component analysis as scikit-learn's `PCA(n_components=k, whiten=…)` with the
/// full solver: the covariance of the centred rows (denominator n − 1) decomposed by LAPACK
/// (`SymmetricEigen`), the top `k` eigenvectors as components, each signed so that its
/// entry of largest magnitude is positive (scikit-learn ≥ 1.5's convention). Used to reduce
/// ResNet-18's 512-d features for the recommender and to draw the classes in feature space.
///
/// ```swift
/// let pca = try PCA(fitting: features, count: n, dimension: 512, components: 32)
/// let reduced = pca.transform(features, count: n)      // n × 32
/// pca.explainedVarianceRatio.reduce(0, +)               // share of the variance kept
/// ```
public struct PCA: Sendable {
    /// Column means of the fitted rows.
    public let mean: [Double]
    /// The components, `components × dimension`, row-major (scikit-learn's `components_`).
    public let components: [Double]
    /// Variance along each component (`explained_variance_`).
    public let explainedVariance: [Double]
    /// Share of the total variance along each component (`explained_variance_ratio_`).
    public let explainedVarianceRatio: [Double]
    /// Whether ``transform(_:count:)`` divides each coordinate by its component's standard deviation.
    public let whiten: Bool
    /// Values per row of the fitted data.
    public let dimension: Int
    /// Components kept.
    public var componentCount: Int { explainedVariance.count }

    /// Why a PCA cannot be fitted.
    public struct FitError: Error, CustomStringConvertible, Equatable {
        /// What is wrong with the data or the request.
        public let reason: String
        /// `PCA: ` and the reason.
        public var description: String { "PCA: \(reason)" }
    }

    /// Fits `k` components to `count` rows of `dimension` values. Needs at least two rows, and
    /// `1 ≤ k ≤ min(count, dimension)`; non-finite values are refused.
    public init(fitting data: [Float], count n: Int, dimension d: Int, components k: Int, whiten: Bool = false) throws {
        guard data.count == n * d else { throw FitError(reason: "\(data.count) values are not \(n) rows of \(d)") }
        guard n >= 2 else { throw FitError(reason: "\(n) row(s); at least 2 are needed") }
        guard k >= 1 && k <= min(n, d) else { throw FitError(reason: "\(k) components asked of \(n) rows of \(d) (1 … \(min(n, d)))") }
        guard data.allSatisfy(\.isFinite) else { throw FitError(reason: "the data hold a NaN or an infinity") }
        let covariance = Covariance(of: data, count: n, dimension: d)
        let eigen = try SymmetricEigen(matrix: covariance.matrix, dimension: d)
        let total = eigen.values.reduce(0) { $0 + max(0, $1) }
        mean = covariance.mean
        components = Array(eigen.vectors.prefix(k * d))
        explainedVariance = eigen.values.prefix(k).map { max(0, $0) }
        explainedVarianceRatio = explainedVariance.map { total > 0 ? $0 / total : 0 }
        self.whiten = whiten
        dimension = d
    }

    /// `count` rows projected onto the components: `(x − mean)·componentsᵀ` (÷ √variance when whitened).
    public func transform(_ data: [Float], count n: Int) -> [Float] {
        precondition(data.count == n * dimension, "PCA.transform: \(data.count) values are not \(n) rows of \(dimension)")
        let k = componentCount, d = dimension
        var out = [Float](repeating: 0, count: n * k)
        var centred = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { centred[j] = Double(data[i * d + j]) - mean[j] }
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d { s += centred[j] * components[c * d + j] }
                if whiten { s /= explainedVariance[c] > 0 ? explainedVariance[c].squareRoot() : 1 }
                out[i * k + c] = Float(s)
            }
        }
        return out
    }
}
