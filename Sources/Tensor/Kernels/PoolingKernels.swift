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
            let sx = g.stride.1, px = g.padding.1, kx = g.kernel.1
            // Outputs whose window lies inside the row horizontally: 8 at a time below.
            let interiorLo = min(ow, (px + sx - 1) / sx)
            let interiorHi = w + px - kx >= 0 ? max(interiorLo, min(ow, (w + px - kx) / sx + 1)) : interiorLo
            for oy in 0..<oh {
                let y0 = max(0, oy * g.stride.0 - g.padding.0), y1 = min(h, oy * g.stride.0 - g.padding.0 + g.kernel.0)
                @inline(__always) func scalar(_ ox: Int) {
                    let x0 = max(0, ox * sx - px), x1 = min(w, ox * sx - px + kx)
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
                for ox in 0..<interiorLo { scalar(ox) }
                // Eight outputs in lanes, the window scanned in the scalar order (rows, then
                // columns) with the same rule — a larger value or a NaN takes over — so values
                // and indices are the scalar loop's exactly.
                @inline(__always) func eight(_ ox: Int) {
                    typealias V = SIMD8<Float>
                    typealias I = SIMD8<Int32>
                    let start = ox * sx - px
                    var best = V(repeating: -.infinity)
                    let lane = I(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(sx)
                    var bestIndex = I(repeating: Int32(y0 * w + start)) &+ lane
                    @inline(__always) func visit(_ v: V, at: Int) {
                        let take = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: take)
                        bestIndex.replace(with: I(repeating: Int32(at)) &+ lane, where: take)
                    }
                    if sx == 2 && kx == 3 && start + 17 <= w {
                        // ResNet's 3×3/2 pool: the window's three columns of eight outputs are the
                        // even and odd halves of two 16-wide loads (no gather; the second starts one
                        // further, so both stay within the row), visited in the same order.
                        for iy in y0..<y1 {
                            let at = iy * w + start
                            let a = UnsafeRawPointer(src + at).loadUnaligned(as: SIMD16<Float>.self)
                            let b = UnsafeRawPointer(src + at + 1).loadUnaligned(as: SIMD16<Float>.self)
                            visit(a.evenHalf, at: at); visit(a.oddHalf, at: at + 1); visit(b.oddHalf, at: at + 2)
                        }
                    } else {
                        for iy in y0..<y1 {
                            for dx in 0..<kx {
                                let at = iy * w + start + dx
                                let p = src + at
                                visit(V(p[0], p[sx], p[2 * sx], p[3 * sx], p[4 * sx], p[5 * sx], p[6 * sx], p[7 * sx]), at: at)
                            }
                        }
                    }
                    for l in 0..<8 { dst[oy * ow + ox + l] = best[l]; arg[oy * ow + ox + l] = bestIndex[l] }
                }
                var ox = interiorLo
                while ox + 8 <= interiorHi { eight(ox); ox += 8 }
                // The interior's last outputs: eight ending at its end, overlapping outputs
                // already written (computed again, the same values and indices).
                if ox < interiorHi && interiorHi - 8 >= interiorLo { eight(interiorHi - 8); ox = interiorHi }
                while ox < ow { scalar(ox); ox += 1 }
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
