import CLAPACKE

/// The eigen-decomposition of a real symmetric matrix, by LAPACK's divide and conquer
/// (`dsyevd` through LAPACKE) in double precision: `A = V·diag(λ)·Vᵀ`.
///
/// ```swift
/// let e = try SymmetricEigen(matrix: [2, 1, 1, 2], dimension: 2)
/// e.values        // [3, 1] (descending)
/// e.vector(0)     // [0.7071…, 0.7071…]
/// ```
public struct SymmetricEigen: Sendable {
    /// The eigenvalues, largest first.
    public let values: [Double]
    /// The eigenvectors as rows, in the order of ``values`` (row `k` is `vectors[k·n ..< (k+1)·n]`),
    /// each of unit length, signed so that its entry of largest magnitude is positive
    /// (scikit-learn's sign convention for PCA components).
    public let vectors: [Double]
    /// The matrix's side.
    public let dimension: Int

    /// Why LAPACK did not decompose the matrix.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// LAPACK's `info`: negative for an invalid argument, positive when it did not converge.
        public let info: Int32
        /// What `info` means.
        public var description: String {
            info < 0 ? "dsyevd: argument \(-info) was invalid" : "dsyevd: the eigenvalues failed to converge (\(info) off-diagonal elements)"
        }
    }

    /// Decomposes the `dimension × dimension` row-major symmetric `matrix` (only its lower
    /// triangle is read). Throws ``Failure`` when LAPACK reports an error (a NaN in the matrix,
    /// for instance).
    public init(matrix: [Double], dimension n: Int) throws {
        precondition(n >= 0 && matrix.count == n * n, "SymmetricEigen: \(matrix.count) entries for a \(n) × \(n) matrix")
        dimension = n
        guard n > 0 else { values = []; vectors = []; return }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n),
                               ap.baseAddress, Int32(n), wp.baseAddress)
            }
        }
        guard info == 0 else { throw Failure(info: Int32(info)) }
        // LAPACK gives ascending values and the vectors as columns of `a`.
        var rows = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            let column = n - 1 - k
            var largest = 0.0, sign = 1.0
            for i in 0..<n where abs(a[i * n + column]) > largest { largest = abs(a[i * n + column]); sign = a[i * n + column] < 0 ? -1 : 1 }
            for i in 0..<n { rows[k * n + i] = sign * a[i * n + column] }
        }
        values = w.reversed()
        vectors = rows
    }

    /// Eigenvector `k` (of ``values``[k]).
    public func vector(_ k: Int) -> ArraySlice<Double> { vectors[k * dimension ..< (k + 1) * dimension] }
}
