/// Colour adjustments with torchvision's semantics (tensor path, v0.15+, float images in [0, 1]).
extension PlanarImage {
    /// `_rgb_to_grayscale_image`: 0.2989 R + 0.587 G + 0.114 B (a grey image is returned as is).
    public func grayscalePlane() -> [Float] {
        let plane = height * width
        if channels == 1 { return values }
        var out = [Float](repeating: 0, count: plane)
        for i in 0..<plane { out[i] = values[i] * 0.2989 + values[plane + i] * 0.587 + values[2 * plane + i] * 0.114 }
        return out
    }

    /// `_blend(img, other, ratio)` = clamp(ratio · img + (1 − ratio) · other, 0, 1), `other` per pixel (one plane) or a constant.
    func blended(with plane: [Float]?, constant: Float = 0, ratio: Float) -> PlanarImage {
        var out = self
        let n = height * width
        for c in 0..<channels {
            for i in 0..<n {
                let o = plane?[i] ?? constant
                out.values[c * n + i] = min(max(values[c * n + i] * ratio + o * (1 - ratio), 0), 1)
            }
        }
        return out
    }

    /// `adjust_brightness`: clamp(factor · img, 0, 1).
    public func adjustingBrightness(_ factor: Float) -> PlanarImage {
        var out = self
        for i in out.values.indices { out.values[i] = min(max(values[i] * factor, 0), 1) }
        return out
    }

    /// `adjust_contrast`: blend with the mean of the greyscale image.
    public func adjustingContrast(_ factor: Float) -> PlanarImage {
        let grey = grayscalePlane()
        var sum: Double = 0
        for v in grey { sum += Double(v) }
        let mean = grey.isEmpty ? 0 : Float(sum / Double(grey.count))
        return blended(with: nil, constant: mean, ratio: factor)
    }

    /// `adjust_saturation`: blend with the per-pixel greyscale (grey images unchanged).
    public func adjustingSaturation(_ factor: Float) -> PlanarImage {
        channels == 1 ? self : blended(with: grayscalePlane(), ratio: factor)
    }

    /// `adjust_hue`: RGB → HSV (torchvision's `_rgb_to_hsv`), h ← (h + factor) mod 1, back
    /// (`_hsv_to_rgb`); `factor` in [−0.5, 0.5]; grey images unchanged.
    public func adjustingHue(_ factor: Float) -> PlanarImage {
        precondition(abs(factor) <= 0.5, "adjustingHue: factor \(factor) outside [-0.5, 0.5]")
        guard channels == 3 else { return self }
        var out = self
        let n = height * width
        for i in 0..<n {
            let r = values[i], g = values[n + i], b = values[2 * n + i]
            let maxc = max(r, g, b), minc = min(r, g, b)
            let eqc = maxc == minc
            let range = maxc - minc
            let s = range / (eqc ? 1 : maxc)
            let divisor = eqc ? 1 : range
            let rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor
            let neqR = maxc != r, eqG = maxc == g
            let hr: Float = neqR ? 0 : bc - gc
            let hg: Float = (eqG && neqR) ? (rc + 2) - bc : 0
            let hb: Float = (neqR && !eqG) ? (gc + 4) - rc : 0
            var h = fmodf((hr + hg + hb) * (1.0 / 6.0) + 1, 1)
            // (h + factor) remainder 1 (Python semantics: non-negative).
            h = h + factor
            h = h - (h / 1).rounded(.down)
            let h6 = h * 6
            let fi = h6.rounded(.down)
            let f = h6 - fi
            let sf = s * f
            let q = min(max((1 - sf) * maxc, 0), 1)
            let t = min(max((sf + (1 - s)) * maxc, 0), 1)
            let p = min(max((1 - s) * maxc, 0), 1)
            let v = maxc
            var k = Int(fi) % 6
            if k < 0 { k += 6 }
            let rgb: (Float, Float, Float)
            switch k {
            case 0: rgb = (v, t, p)
            case 1: rgb = (q, v, p)
            case 2: rgb = (p, v, t)
            case 3: rgb = (p, q, v)
            case 4: rgb = (t, p, v)
            default: rgb = (v, p, q)
            }
            out.values[i] = rgb.0; out.values[n + i] = rgb.1; out.values[2 * n + i] = rgb.2
        }
        return out
    }

    /// `Normalize(mean, std)`: (x − mean[c]) / std[c].
    public func normalized(mean: [Float], std: [Float]) -> PlanarImage {
        precondition(mean.count == channels && std.count == channels, "normalized: \(channels) channels, \(mean.count) means, \(std.count) stds")
        var out = self
        let n = height * width
        for c in 0..<channels {
            for i in 0..<n { out.values[c * n + i] = (values[c * n + i] - mean[c]) / std[c] }
        }
        return out
    }
}

import Foundation
