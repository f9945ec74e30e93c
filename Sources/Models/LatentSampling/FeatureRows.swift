import Tensor

/// Row-major feature matrices (`count × dimension` floats) as the feature models take them.
public enum FeatureRows {
    /// The rows `indices` of `data`, stacked as a `[indices.count, dimension]` tensor.
    public static func batch(_ data: [Float], rows indices: ArraySlice<Int>, dimension d: Int) -> Tensor {
        var out = [Float](repeating: 0, count: indices.count * d)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    (dst.baseAddress! + k * d).update(from: src.baseAddress! + i * d, count: d)
                }
            }
        }
        return Tensor(shape: [indices.count, d], scalars: out)
    }
}
