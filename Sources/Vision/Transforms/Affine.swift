import Foundation

/// How geometric transforms sample the source image.
public enum Interpolation: String, Sendable, Codable {
    case nearest, bilinear
}

/// Affine warps and rotation with torchvision's semantics (tensor path, v0.15+): an inverse
/// matrix from `_get_inverse_affine_matrix`, a grid as `_affine_grid`, `grid_sample`
/// (align_corners=False, zeros padding), and torchvision's fill blending via a mask channel.
extension PlanarImage {
    /// torchvision's `_get_inverse_affine_matrix` (angle clockwise in degrees, shear in degrees,
    /// centre and translation in pixels relative to the image centre).
    public static func inverseAffineMatrix(center: (Double, Double), angle: Double, translate: (Double, Double),
                                           scale: Double, shear: (Double, Double)) -> [Double] {
        let rot = angle * .pi / 180, sx = shear.0 * .pi / 180, sy = shear.1 * .pi / 180
        let (cx, cy) = center, (tx, ty) = translate
        let a = cos(rot - sy) / cos(sy)
        let b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot)
        let c = sin(rot - sy) / cos(sy)
        let d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot)
        var m = [d, -b, 0, -c, a, 0].map { $0 / scale }
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
        return m
    }

    /// `F.affine(img, angle, translate, scale, shear, interpolation, fill)`; `center` in pixels
    /// (nil = the image centre). `fill` nil pads with zeros as plain `grid_sample`; a value
    /// blends through torchvision's mask (for bilinear: `mask · (img − fill) + fill`).
    public func affine(angle: Double, translate: (Double, Double) = (0, 0), scale: Double = 1,
                       shear: (Double, Double) = (0, 0), interpolation: Interpolation = .nearest,
                       fill: Float? = nil, center: (Double, Double)? = nil) -> PlanarImage {
        let centerF = center.map { ($0.0 - Double(width) * 0.5, $0.1 - Double(height) * 0.5) } ?? (0, 0)
        let m = Self.inverseAffineMatrix(center: centerF, angle: angle, translate: translate, scale: scale, shear: shear)
        return gridTransform(matrix: m.map { Float($0) }, interpolation: interpolation, fill: fill)
    }

    /// `F.rotate(img, angle)` — counter-clockwise degrees about the centre, same size.
    public func rotated(angle: Double, interpolation: Interpolation = .nearest, fill: Float? = nil,
                        center: (Double, Double)? = nil) -> PlanarImage {
        let centerF = center.map { ($0.0 - Double(width) * 0.5, $0.1 - Double(height) * 0.5) } ?? (0, 0)
        let m = Self.inverseAffineMatrix(center: centerF, angle: -angle, translate: (0, 0), scale: 1, shear: (0, 0))
        return gridTransform(matrix: m.map { Float($0) }, interpolation: interpolation, fill: fill)
    }

    /// Samples the source at the inverse-mapped centre of every output pixel (`_affine_grid`
    /// then `grid_sample`, in float32 as torchvision computes the grid).
    func gridTransform(matrix m: [Float], interpolation: Interpolation, fill: Float?) -> PlanarImage {
        let w = width, h = height
        var out = PlanarImage(channels: channels, height: h, width: w, fill: 0)
        let halfW = Float(w) * 0.5, halfH = Float(h) * 0.5
        values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<h {
                    let by = -Float(h) * 0.5 + 0.5 + Float(oy)
                    for ox in 0..<w {
                        let bx = -Float(w) * 0.5 + 0.5 + Float(ox)
                        // Normalised grid coordinates as torch computes them, then unnormalised
                        // with align_corners=False: ((g + 1) · size − 1) / 2.
                        let gx = (bx * m[0] + by * m[1] + m[2]) / halfW
                        let gy = (bx * m[3] + by * m[4] + m[5]) / halfH
                        let ix = ((gx + 1) * Float(w) - 1) / 2
                        let iy = ((gy + 1) * Float(h) - 1) / 2
                        switch interpolation {
                        case .nearest:
                            let nx = Int(ix.rounded(.toNearestOrEven)), ny = Int(iy.rounded(.toNearestOrEven))
                            let inside = nx >= 0 && nx < w && ny >= 0 && ny < h
                            for c in 0..<channels {
                                let v: Float = inside ? src[(c * h + ny) * w + nx] : 0
                                dst[(c * h + oy) * w + ox] = inside ? v : fill ?? v
                            }
                        case .bilinear:
                            let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down))
                            let tx = ix - Float(x0), ty = iy - Float(y0)
                            let corners = [(x0, y0, (1 - tx) * (1 - ty)), (x0 + 1, y0, tx * (1 - ty)),
                                           (x0, y0 + 1, (1 - tx) * ty), (x0 + 1, y0 + 1, tx * ty)]
                            var mask: Float = 0
                            for (x, y, wt) in corners where x >= 0 && x < w && y >= 0 && y < h { mask += wt }
                            for c in 0..<channels {
                                var v: Float = 0
                                for (x, y, wt) in corners where x >= 0 && x < w && y >= 0 && y < h {
                                    v += src[(c * h + y) * w + x] * wt
                                }
                                dst[(c * h + oy) * w + ox] = fill.map { (v - $0) * mask + $0 } ?? v
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
