import Tensor

/// Feature vectors L2-normalised once, so cosine similarities are plain dot products
/// computed by one GEMM.
public struct NormalizedFeatures: Sendable {
    /// `count × dimension`, each row of unit length (a zero row stays zero).
    public let rows: [Float]
    public let count: Int, dimension: Int

    /// Normalises the rows of a `count × dimension` row-major matrix.
    public init(_ features: [Float], count: Int, dimension: Int) {
        precondition(features.count == count * dimension, "NormalizedFeatures: \(features.count) values for \(count)×\(dimension)")
        var rows = features
        for i in 0..<count {
            var s: Float = 0
            for j in 0..<dimension { s += rows[i * dimension + j] * rows[i * dimension + j] }
            let inv: Float = s > 0 ? 1 / s.squareRoot() : 0
            for j in 0..<dimension { rows[i * dimension + j] *= inv }
        }
        self.rows = rows; self.count = count; self.dimension = dimension
    }

    /// The `count × count` cosine-similarity matrix, row-major (`sklearn`'s `cosine_similarity`).
    public func similarityMatrix() -> [Float] {
        var out = [Float](repeating: 0, count: count * count)
        rows.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { c in
                GEMM.sgemm(transposeB: true, m: count, n: count, k: dimension, a: a.baseAddress!, lda: dimension,
                           b: a.baseAddress!, ldb: dimension, c: c.baseAddress!, ldc: count)
            }
        }
        return out
    }

    /// Cosine similarity of rows `i` and `j`.
    public func similarity(_ i: Int, _ j: Int) -> Float {
        var s: Float = 0
        for k in 0..<dimension { s += rows[i * dimension + k] * rows[j * dimension + k] }
        return s
    }
}
