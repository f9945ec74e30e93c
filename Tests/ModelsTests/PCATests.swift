import Foundation
import Testing
import Tensor
@testable import Models

/// PCA and the symmetric eigen-decomposition under it against scikit-learn and NumPy
/// (Tools/make_pca_reference.py → Reference/pca.json).
@Suite struct PCATests {
    struct Fit: Decodable {
        let mean: [Double], components: [Double], explained_variance: [Double], explained_variance_ratio: [Double], transform_first_5: [Double]
    }
    struct Eigh: Decodable { let matrix: [Double], values_ascending: [Double], vectors_columns: [Double] }
    struct Reference: Decodable { let rows: Int, dimension: Int, data: [Double], plain: Fit, whiten: Fit, eigh: Eigh }

    static let reference: Reference = {
        let url = Bundle.module.url(forResource: "Reference/pca.json", withExtension: nil)!
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    @Test func eigenDecompositionIsNumPys() throws {
        let r = Self.reference.eigh
        let e = try SymmetricEigen(matrix: r.matrix, dimension: 3)
        #expect(zip(e.values, r.values_ascending.reversed()).allSatisfy { abs($0 - $1) < 1e-12 })
        for k in 0..<3 {
            // NumPy's column for the k-th largest value, up to sign.
            let column = (0..<3).map { r.vectors_columns[$0 * 3 + (2 - k)] }
            let dot = zip(e.vector(k), column).map(*).reduce(0, +)
            #expect(abs(abs(dot) - 1) < 1e-12, "vector \(k)")
            #expect(e.vector(k).max(by: { abs($0) < abs($1) })! > 0, "largest entry positive")
        }
        #expect(throws: SymmetricEigen.Failure.self) { try SymmetricEigen(matrix: [1, .nan, .nan, 1], dimension: 2) }
    }

    @Test(arguments: [false, true])
    func pcaIsScikitLearns(_ whiten: Bool) throws {
        let r = Self.reference, want = whiten ? r.whiten : r.plain
        let d = r.dimension, data = r.data.map(Float.init)
        let pca = try PCA(fitting: data, count: r.rows, dimension: d, components: 4, whiten: whiten)
        #expect(zip(pca.mean, want.mean).allSatisfy { abs($0 - $1) < 1e-12 * max(1, abs($1)) })
        let largest = want.explained_variance[0]
        #expect(zip(pca.explainedVariance, want.explained_variance).allSatisfy { abs($0 - $1) < 1e-12 * largest })
        #expect(zip(pca.explainedVarianceRatio, want.explained_variance_ratio).allSatisfy { abs($0 - $1) < 1e-12 })
        // Davis–Kahan: a component's angle to the exact one is at most the covariance's error
        // (≈ d·ε·λ₁ from dsyrk and dsyevd, both backward stable) over the gap to the next
        // value; 100× that, same sign convention (largest entry positive) on both sides.
        let all = try SymmetricEigen(matrix: Covariance(of: data, count: r.rows, dimension: d).matrix, dimension: d).values
        for k in 0..<4 {
            let gap = min(k > 0 ? all[k - 1] - all[k] : .infinity, all[k] - all[k + 1])
            let bound = 100 * Double(d) * 2.2e-16 * largest / gap
            let got = pca.components[k * d ..< (k + 1) * d], expected = want.components[k * d ..< (k + 1) * d]
            #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= bound }, "component \(k), bound \(bound)")
        }
        // The projection is written as Float: within Float rounding of scikit-learn's.
        let projected = pca.transform(Array(data.prefix(5 * d)), count: 5)
        #expect(zip(projected, want.transform_first_5).allSatisfy { abs(Double($0) - $1) <= 1e-5 * max(1, abs($1)) })
    }

    @Test func badFitsAreRefusedWithTheReason() {
        #expect(throws: PCA.FitError.self) { try PCA(fitting: [1, 2, 3], count: 1, dimension: 3, components: 1) }
        #expect(throws: PCA.FitError.self) { try PCA(fitting: [1, 2, 3, 4], count: 2, dimension: 2, components: 3) }
        #expect(throws: PCA.FitError.self) { try PCA(fitting: [1, .nan, 3, 4], count: 2, dimension: 2, components: 1) }
        #expect(throws: PCA.FitError.self) { try PCA(fitting: [1, 2, 3], count: 2, dimension: 2, components: 1) }
    }
}
