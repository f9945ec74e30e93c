/// Pooling loops over raw buffers, parallel over the N·C planes.
enum PoolingKernels {
    struct Geometry {
        var planes: Int, height: Int, width: Int
        var kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
        var outHeight: Int { (height + 2 * padding.0 - kernel.0) / stride.0 + 1 }
        var outWidth: Int { (width + 2 * padding.1 - kernel.1) / stride.1 + 1 }
    }

    /// Max pooling; `argmax` receives each output's index within its input plane.
    static func maxForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           argmax: UnsafeMutablePointer<Int32>, _ g: Geometry) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        Threading.parallelFor(g.planes, minimumGrain: max(1, 4096 / max(1, oh * ow))) { pl in
            let src = x + pl * h * w, dst = y + pl * oh * ow, arg = argmax + pl * oh * ow
            for oy in 0..<oh {
                let y0 = max(0, oy * g.stride.0 - g.padding.0), y1 = min(h, oy * g.stride.0 - g.padding.0 + g.kernel.0)
                for ox in 0..<ow {
                    let x0 = max(0, ox * g.stride.1 - g.padding.1), x1 = min(w, ox * g.stride.1 - g.padding.1 + g.kernel.1)
                    var best = -Float.infinity, bestIndex = y0 * w + x0
                    for iy in y0..<y1 {
                        for ix in x0..<x1 {
                            let v = src[iy * w + ix]
                            if v > best || v.isNaN { best = v; bestIndex = iy * w + ix }
                        }
                    }
                    dst[oy * ow + ox] = best
                    arg[oy * ow + ox] = Int32(bestIndex)
                }
            }
        }
    }

    /// Scatters `dy` to the recorded maxima (overwrites `dx`).
    static func maxBackward(_ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
                            _ dx: UnsafeMutablePointer<Float>, _ g: Geometry) {
        let hw = g.height * g.width, ohw = g.outHeight * g.outWidth
        Threading.parallelFor(g.planes, minimumGrain: max(1, 4096 / max(1, hw))) { pl in
            let d = dx + pl * hw, gy = dy + pl * ohw, arg = argmax + pl * ohw
            d.update(repeating: 0, count: hw)
            for i in 0..<ohw { d[Int(arg[i])] += gy[i] }
        }
    }

    /// Average pooling, padding counted in the divisor (`count_include_pad=True`).
    static func averageForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: Geometry) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let scale = 1 / Float(g.kernel.0 * g.kernel.1)
        Threading.parallelFor(g.planes, minimumGrain: max(1, 4096 / max(1, oh * ow))) { pl in
            let src = x + pl * h * w, dst = y + pl * oh * ow
            for oy in 0..<oh {
                let y0 = max(0, oy * g.stride.0 - g.padding.0), y1 = min(h, oy * g.stride.0 - g.padding.0 + g.kernel.0)
                for ox in 0..<ow {
                    let x0 = max(0, ox * g.stride.1 - g.padding.1), x1 = min(w, ox * g.stride.1 - g.padding.1 + g.kernel.1)
                    var s: Float = 0
                    for iy in y0..<y1 { for ix in x0..<x1 { s += src[iy * w + ix] } }
                    dst[oy * ow + ox] = s * scale
                }
            }
        }
    }

    static func averageBackward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: Geometry) {
        let h = g.height, w = g.width, oh = g.outHeight, ow = g.outWidth
        let scale = 1 / Float(g.kernel.0 * g.kernel.1)
        Threading.parallelFor(g.planes, minimumGrain: max(1, 4096 / max(1, h * w))) { pl in
            let d = dx + pl * h * w, gy = dy + pl * oh * ow
            d.update(repeating: 0, count: h * w)
            for oy in 0..<oh {
                let y0 = max(0, oy * g.stride.0 - g.padding.0), y1 = min(h, oy * g.stride.0 - g.padding.0 + g.kernel.0)
                for ox in 0..<ow {
                    let x0 = max(0, ox * g.stride.1 - g.padding.1), x1 = min(w, ox * g.stride.1 - g.padding.1 + g.kernel.1)
                    let v = gy[oy * ow + ox] * scale
                    for iy in y0..<y1 { for ix in x0..<x1 { d[iy * w + ix] += v } }
                }
            }
        }
    }
}
