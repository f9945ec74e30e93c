import Foundation
import Tensor

/// Image features by stem (`W_01752_00_metrosexual_M`, no `.jpg`): the raw vectors as given,
/// the same rows L2-normalised once (so a cosine similarity is a dot product), and the
/// element-wise median vector that mission 3-2 uses as a stand-in.
///
/// Any dimension works; the missions use ResNet-18's 512-d pooled features.
public struct FeatureStore: Sendable {
    /// Stems in row order, unique.
    public let stems: [String]
    public let dimension: Int
    /// `count × dimension`, row-major, as given.
    public let raw: [Float]
    /// `count × dimension`, each row of unit length (a zero row stays zero, as scikit-learn's `normalize`).
    public let normalized: [Float]
    /// Element-wise median of the raw rows (NumPy's median: the mean of the middle pair for an even count).
    public let median: [Float]
    /// The median vector L2-normalised.
    public let normalizedMedian: [Float]
    private let index: [String: Int]

    public var count: Int { stems.count }

    /// Builds a store; duplicate stems, a wrong value count or a non-finite value throw a
    /// ``FeatureFileError`` naming `source` and the offending row (1-based, as a line after a header would be).
    public init(stems: [String], values: [Float], dimension: Int, source: String = "<memory>") throws {
        guard dimension > 0 else { throw FeatureFileError(path: source, line: nil, reason: "dimension \(dimension): need at least one feature") }
        guard values.count == stems.count * dimension else {
            throw FeatureFileError(path: source, line: nil, reason: "\(values.count) values for \(stems.count) stems × \(dimension)")
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(stems.count)
        for (i, s) in stems.enumerated() {
            if let first = index[s] {
                throw FeatureFileError(path: source, line: i + 2, reason: "stem \(s) repeats row \(first + 2)")
            }
            index[s] = i
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw FeatureFileError(path: source, line: bad / dimension + 2,
                                   reason: "feature f\(bad % dimension) of \(stems[bad / dimension]) is \(values[bad])")
        }
        self.stems = stems; self.dimension = dimension; self.raw = values; self.index = index
        self.normalized = FeatureStore.normalizeRows(values, dimension: dimension)
        self.median = FeatureStore.columnMedian(values, count: stems.count, dimension: dimension)
        self.normalizedMedian = FeatureStore.normalizeRows(median, dimension: dimension)
    }

    /// The row of `stem`, or nil when the store lacks it.
    public func row(of stem: String) -> Int? { index[stem] }

    /// The raw vector of row `i`.
    public func vector(_ i: Int) -> ArraySlice<Float> { raw[(i * dimension)..<((i + 1) * dimension)] }

    /// The `count × count` cosine-similarity matrix, row-major, by one GEMM (scikit-learn's `cosine_similarity`).
    public func similarityMatrix() -> [Float] {
        var out = [Float](repeating: 0, count: count * count)
        guard count > 0 else { return out }
        normalized.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { c in
                GEMM.sgemm(transposeB: true, m: count, n: count, k: dimension, a: a.baseAddress!, lda: dimension,
                           b: a.baseAddress!, ldb: dimension, c: c.baseAddress!, ldc: count)
            }
        }
        return out
    }

    /// Cosine similarity of rows `i` and `j`.
    public func similarity(_ i: Int, _ j: Int) -> Float {
        normalized.withUnsafeBufferPointer { p in
            FeatureStore.dot(p.baseAddress! + i * dimension, p.baseAddress! + j * dimension, dimension)
        }
    }

    /// A store of the same stems with other vectors (e.g. an autoencoder's codes).
    public func replacingVectors(_ values: [Float], dimension: Int, source: String) throws -> FeatureStore {
        try FeatureStore(stems: stems, values: values, dimension: dimension, source: source)
    }

    // MARK: Kernels

    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var k = 0
        while k + 4 <= n {
            s0 += a[k] * b[k]; s1 += a[k + 1] * b[k + 1]; s2 += a[k + 2] * b[k + 2]; s3 += a[k + 3] * b[k + 3]
            k += 4
        }
        while k < n { s0 += a[k] * b[k]; k += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    static func normalizeRows(_ values: [Float], dimension d: Int) -> [Float] {
        var rows = values
        let n = d > 0 ? values.count / d : 0
        rows.withUnsafeMutableBufferPointer { p in
            Threading.parallelRanges(n, minimumGrain: 256) { range in
                for i in range {
                    let r = p.baseAddress! + i * d
                    var s: Double = 0
                    for j in 0..<d { s += Double(r[j]) * Double(r[j]) }
                    guard s > 0 else { continue }
                    let inv = Float(1 / s.squareRoot())
                    for j in 0..<d { r[j] *= inv }
                }
            }
        }
        return rows
    }

    /// NumPy's `np.median(values, axis=0)` in Float: the middle value, or the mean of the middle pair.
    static func columnMedian(_ values: [Float], count n: Int, dimension d: Int) -> [Float] {
        guard n > 0 else { return [Float](repeating: 0, count: d) }
        var out = [Float](repeating: 0, count: d)
        out.withUnsafeMutableBufferPointer { o in
            values.withUnsafeBufferPointer { v in
                Threading.parallelRanges(d, minimumGrain: 8) { range in
                    var column = [Float](repeating: 0, count: n)
                    for j in range {
                        for i in 0..<n { column[i] = v[i * d + j] }
                        column.sort()
                        o[j] = n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2
                    }
                }
            }
        }
        return out
    }
}

/// Why a features file (or a set of vectors) cannot be used; names the file and, where it
/// applies, the line.
public struct FeatureFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    /// 1-based line (CSV) or row + 2 (other sources), when one row is at fault.
    public let line: Int?
    public let reason: String
    public init(path: String, line: Int?, reason: String) { self.path = path; self.line = line; self.reason = reason }
    public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}
