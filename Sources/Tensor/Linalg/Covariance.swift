import CBLAS

/// Column means and the sample covariance (denominator n − 1, as NumPy's `np.cov` and
/// scikit-learn's PCA) of `count` rows of `dimension` floats, in double precision.
///
/// The centred rows are accumulated by `dsyrk` (XᵀX of the centred data), so the cost is
/// n·d²/2 multiply-adds in BLAS, not a Swift loop.
public struct Covariance: Sendable {
    /// The column means.
    public let mean: [Double]
    /// The `dimension × dimension` covariance, row-major, both triangles filled.
    public let matrix: [Double]
    /// Columns of the data (the matrix's side).
    public let dimension: Int
    /// Rows it was computed from.
    public let count: Int

    /// The means and covariance of `count` rows of `dimension` floats (row-major).
    public init(of data: [Float], count n: Int, dimension d: Int) {
        precondition(n >= 0 && d >= 0 && data.count == n * d, "Covariance: \(data.count) values for \(n) rows of \(d)")
        dimension = d; count = n
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(data[i * d + j]) } }
        if n > 0 { for j in 0..<d { mean[j] /= Double(n) } }
        self.mean = mean
        var centred = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { centred[i * d + j] = Double(data[i * d + j]) - mean[j] } }
        var c = [Double](repeating: 0, count: d * d)
        if n > 1 && d > 0 {
            centred.withUnsafeBufferPointer { x in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(d), Int32(n), 1 / Double(n - 1),
                                x.baseAddress, Int32(d), 0, cp.baseAddress, Int32(d))
                }
            }
            for i in 0..<d { for j in (i + 1)..<d { c[i * d + j] = c[j * d + i] } }
        }
        matrix = c
    }
}
