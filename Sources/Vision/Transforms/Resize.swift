/// Resizing with torchvision's semantics (tensor path, v0.15+: `F.resize(..., antialias=True)`).
extension PlanarImage {
    /// The output size torchvision computes for `Resize(size)` with one int: the shorter edge
    /// becomes `size`, the longer `int(size · long / short)` (truncated).
    public static func shorterEdgeSize(height: Int, width: Int, shorterEdge size: Int) -> (height: Int, width: Int) {
        if width <= height {
            return (Int(Double(size) * Double(height) / Double(width)), size)
        }
        return (size, Int(Double(size) * Double(width) / Double(height)))
    }

    /// Bilinear resize with antialiasing — PyTorch's `_upsample_bilinear2d_aa`
    /// (align_corners=False): a triangle filter widened by the scale when shrinking, weights
    /// normalised per output pixel, horizontal pass then vertical. Matches
    /// `torchvision.transforms.v2.functional.resize(img, [h, w], antialias=True)` on float images.
    public func resized(height outH: Int, width outW: Int) -> PlanarImage {
        precondition(outH > 0 && outW > 0, "resized: output size \(outH)×\(outW)")
        if outH == height && outW == width { return self }
        let xs = Self.aaWeights(input: width, output: outW)
        let ys = Self.aaWeights(input: height, output: outH)
        var horizontal = [Float](repeating: 0, count: channels * height * outW)
        var out = [Float](repeating: 0, count: channels * outH * outW)
        values.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { mid in
                for row in 0..<(channels * height) {
                    let s = src.baseAddress! + row * width, d = mid.baseAddress! + row * outW
                    for x in 0..<outW {
                        let (start, w) = xs[x]
                        var acc: Float = 0
                        for k in 0..<w.count { acc += s[start + k] * w[k] }
                        d[x] = acc
                    }
                }
            }
        }
        horizontal.withUnsafeBufferPointer { mid in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    let plane = mid.baseAddress! + c * height * outW
                    for y in 0..<outH {
                        let (start, w) = ys[y]
                        let d = dst.baseAddress! + (c * outH + y) * outW
                        for x in 0..<outW {
                            var acc: Float = 0
                            for k in 0..<w.count { acc += plane[(start + k) * outW + x] * w[k] }
                            d[x] = acc
                        }
                    }
                }
            }
        }
        return PlanarImage(channels: channels, height: outH, width: outW, values: out)
    }

    /// `Resize(size)` with one int: the shorter edge to `size`, aspect kept.
    public func resized(shorterEdge size: Int) -> PlanarImage {
        let (h, w) = Self.shorterEdgeSize(height: height, width: width, shorterEdge: size)
        return resized(height: h, width: w)
    }

    /// Per output index: first input index and normalised weights (PyTorch's aa kernel).
    static func aaWeights(input: Int, output: Int) -> [(Int, [Float])] {
        let scale = Double(input) / Double(output)   // area_pixel_compute_scale, align_corners=False
        let support = scale >= 1 ? scale : 1.0       // interp_size 2 → 0.5 · 2 · scale
        let invscale = scale >= 1 ? 1 / scale : 1.0
        return (0..<output).map { i in
            let center = scale * (Double(i) + 0.5)
            let xmin = max(Int(center - support + 0.5), 0)
            let xsize = min(Int(center + support + 0.5), input) - xmin
            var w = (0..<xsize).map { j -> Double in
                let x = (Double(j + xmin) - center + 0.5) * invscale
                return abs(x) < 1 ? 1 - abs(x) : 0
            }
            let total = w.reduce(0, +)
            if total != 0 { w = w.map { $0 / total } }
            return (xmin, w.map { Float($0) })
        }
    }
}
