/// The Winograd tile transforms for narrow maps (fewer than eight tiles a row: ResNet-18's
/// layers at 28–112 px, where the row-wise transforms of ``WinogradKernels`` run their
/// scalar tails and spend their time on per-row set-up). Here eight consecutive columns of
/// a channel's stream — tiles of any row and image — are the eight lanes: the transformed
/// side is read or written with contiguous 8-wide loads and stores, the image side gathered
/// or scattered through a table of tile offsets. Every lane computes the scalar formula of
/// the row-wise transform operation for operation, so the two paths agree bit for bit.
extension WinogradKernels {
    typealias Lanes = SIMD8<Float>

    /// −v by flipping sign bits, as scalar negation does (SIMD's prefix minus is 0 − v: +0 for +0, NaN's sign kept).
    @inline(__always) static func negated(_ v: Lanes) -> Lanes {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) ^ 0x8000_0000, to: Lanes.self)
    }

    /// Offsets of each tile's top-left corner in a plane of row width `width`.
    static func tileCorners(_ tiles: Tiles, width: Int) -> [Int] {
        (0..<tiles.perImage).map { k in 2 * (k / tiles.columns) * width + 2 * (k % tiles.columns) }
    }

    /// V = Bᵀ d B (``transformInput(_:count:channels:height:width:tiles:_:)``) eight stream columns at a time.
    /// Each channel's `count` planes are copied into zero-bordered planes first, so the
    /// gathers need no bounds checks.
    static func transformInputByLanes(_ x: UnsafePointer<Float>, count: Int, channels c: Int, height h: Int, width w: Int,
                                      tiles: Tiles, _ v: UnsafeMutablePointer<Float>) {
        let t = tiles.perImage, p = count * t, cp = c * p
        let pw = 2 * tiles.columns + 2, pp = (2 * tiles.rows + 2) * pw
        let corners = tileCorners(tiles, width: pw)
        Threading.parallelRanges(c, minimumGrain: max(1, 4096 / max(p, 1))) { range in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: count * pp)
            padded.initialize(repeating: 0, count: count * pp)   // borders stay zero; interiors are overwritten
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: p)
            defer { padded.deallocate(); offsets.deallocate() }
            for q in 0..<p { offsets[q] = (q / t) * pp + corners[q % t] }
            for ch in range {
                for i in 0..<count {
                    let plane = x + (i * c + ch) * h * w, target = padded + i * pp + pw + 1
                    for y in 0..<h { (target + y * pw).update(from: plane + y * w, count: w) }
                }
                let out = v + ch * p
                var q = 0
                while q + 8 <= p {
                    let o = offsets + q
                    @inline(__always) func d(_ r: Int, _ s: Int) -> Lanes {
                        let b = padded + r * pw + s
                        return Lanes(b[o[0]], b[o[1]], b[o[2]], b[o[3]], b[o[4]], b[o[5]], b[o[6]], b[o[7]])
                    }
                    @inline(__always) func store(_ k: Int, _ value: Lanes) {
                        UnsafeMutableRawPointer(out + k * cp + q).storeBytes(of: value, as: Lanes.self)
                    }
                    // Bᵀ down each of the four columns (rows d0 − d2, d1 + d2, d2 − d1, d1 − d3), then · B along each row.
                    do {
                        let x0 = (d(0, 0), d(0, 1), d(0, 2), d(0, 3)), x1 = (d(1, 0), d(1, 1), d(1, 2), d(1, 3))
                        let x2 = (d(2, 0), d(2, 1), d(2, 2), d(2, 3)), x3 = (d(3, 0), d(3, 1), d(3, 2), d(3, 3))
                        @inline(__always) func row(_ r: Int, _ a0: Lanes, _ a1: Lanes, _ a2: Lanes, _ a3: Lanes) {
                            store(r * 4 + 0, a0 - a2); store(r * 4 + 1, a1 + a2); store(r * 4 + 2, a2 - a1); store(r * 4 + 3, a1 - a3)
                        }
                        row(0, x0.0 - x2.0, x0.1 - x2.1, x0.2 - x2.2, x0.3 - x2.3)
                        row(1, x1.0 + x2.0, x1.1 + x2.1, x1.2 + x2.2, x1.3 + x2.3)
                        row(2, x2.0 - x1.0, x2.1 - x1.1, x2.2 - x1.2, x2.3 - x1.3)
                        row(3, x1.0 - x3.0, x1.1 - x3.1, x1.2 - x3.2, x1.3 - x3.3)
                    }
                    q += 8
                }
                while q < p {
                    let b = padded + offsets[q]
                    @inline(__always) func d(_ r: Int, _ s: Int) -> Float { b[r * pw + s] }
                    @inline(__always) func row(_ r: Int, _ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float) {
                        out[(r * 4 + 0) * cp + q] = a0 - a2; out[(r * 4 + 1) * cp + q] = a1 + a2
                        out[(r * 4 + 2) * cp + q] = a2 - a1; out[(r * 4 + 3) * cp + q] = a1 - a3
                    }
                    row(0, d(0, 0) - d(2, 0), d(0, 1) - d(2, 1), d(0, 2) - d(2, 2), d(0, 3) - d(2, 3))
                    row(1, d(1, 0) + d(2, 0), d(1, 1) + d(2, 1), d(1, 2) + d(2, 2), d(1, 3) + d(2, 3))
                    row(2, d(2, 0) - d(1, 0), d(2, 1) - d(1, 1), d(2, 2) - d(1, 2), d(2, 3) - d(1, 3))
                    row(3, d(1, 0) - d(3, 0), d(1, 1) - d(3, 1), d(1, 2) - d(3, 2), d(1, 3) - d(3, 3))
                    q += 1
                }
            }
        }
    }

    /// Y = Aᵀ M A + bias (``transformOutput(_:count:channels:outHeight:outWidth:tiles:bias:_:)``)
    /// eight stream columns at a time, scattered into the images.
    static func transformOutputByLanes(_ m: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                       tiles: Tiles, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                                       epilogue: OutputEpilogue = .none) {
        let t = tiles.perImage, p = count * t, op = o * p, plane = oh * ow
        let corners = tileCorners(tiles, width: ow)
        // Which of a tile's four outputs fall inside the map (odd sizes cut the last row or column).
        let right = (0..<t).map { 2 * ($0 % tiles.columns) + 1 < ow }, below = (0..<t).map { 2 * ($0 / tiles.columns) + 1 < oh }
        Threading.parallelRanges(o, minimumGrain: max(1, 4096 / max(p, 1))) { range in
            for ch in range {
                let b = bias?[ch] ?? 0
                let source = m + ch * p
                @inline(__always) func scatter(_ q: Int, _ e0: Float, _ d0: Float, _ e1: Float, _ d1: Float) {
                    let i = q / t, k = q % t
                    let at = y + (i * o + ch) * plane + corners[k]
                    at[0] = e0
                    if right[k] { at[1] = d0 }
                    if below[k] { at[ow] = e1; if right[k] { at[ow + 1] = d1 } }
                }
                @inline(__always) func weights(_ s: Int) -> (Float, Float) { (s == 3 ? 0 : 1, s == 0 ? 0 : (s == 1 ? 1 : -1)) }
                var q = 0
                while q + 8 <= p {
                    var e0 = Lanes(repeating: b), d0 = e0, e1 = e0, d1 = e0
                    for s in 0..<4 {
                        @inline(__always) func load(_ r: Int) -> Lanes { UnsafeRawPointer(source + (r * 4 + s) * op + q).loadUnaligned(as: Lanes.self) }
                        let m0 = load(0), m1 = load(1), m2 = load(2), m3 = load(3)
                        let (c0, c1) = weights(s)
                        let top = m0 + m1 + m2, bottom = m1 - m2 - m3
                        e0 += c0 * top; d0 += c1 * top
                        e1 += c0 * bottom; d1 += c1 * bottom
                    }
                    for lane in 0..<8 { scatter(q + lane, e0[lane], d0[lane], e1[lane], d1[lane]) }
                    q += 8
                }
                while q < p {
                    var e0 = b, d0 = b, e1 = b, d1 = b
                    for s in 0..<4 {
                        let m0 = source[(0 + s) * op + q], m1 = source[(4 + s) * op + q]
                        let m2 = source[(8 + s) * op + q], m3 = source[(12 + s) * op + q]
                        let (c0, c1) = weights(s)
                        let top = m0 + m1 + m2, bottom = m1 - m2 - m3
                        e0 += c0 * top; d0 += c1 * top
                        e1 += c0 * bottom; d1 += c1 * bottom
                    }
                    scatter(q, e0, d0, e1, d1)
                    q += 1
                }
                for i in 0..<count { epilogue.apply(y + (i * o + ch) * plane, count: plane, at: (i * o + ch) * plane) }
            }
        }
    }

    /// dM = A dY Aᵀ (``transformOutputGradient(_:count:channels:outHeight:outWidth:tiles:_:)``)
    /// eight stream columns at a time, gathered from the images (outside the map: zero).
    static func transformOutputGradientByLanes(_ dy: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                               tiles: Tiles, _ dm: UnsafeMutablePointer<Float>) {
        let t = tiles.perImage, p = count * t, op = o * p, plane = oh * ow
        let corners = tileCorners(tiles, width: ow)
        let right = (0..<t).map { 2 * ($0 % tiles.columns) + 1 < ow }, below = (0..<t).map { 2 * ($0 / tiles.columns) + 1 < oh }
        Threading.parallelRanges(o, minimumGrain: max(1, 4096 / max(p, 1))) { range in
            for ch in range {
                let out = dm + ch * p
                /// The tile's 2×2 gradient (zero outside the map).
                @inline(__always) func gather(_ q: Int) -> (Float, Float, Float, Float) {
                    let i = q / t, k = q % t
                    let at = dy + (i * o + ch) * plane + corners[k]
                    let r = right[k], d = below[k]
                    return (at[0], r ? at[1] : 0, d ? at[ow] : 0, r && d ? at[ow + 1] : 0)
                }
                var q = 0
                while q + 8 <= p {
                    var g00 = Lanes(), g01 = Lanes(), g10 = Lanes(), g11 = Lanes()
                    for lane in 0..<8 {
                        let g = gather(q + lane)
                        g00[lane] = g.0; g01[lane] = g.1; g10[lane] = g.2; g11[lane] = g.3
                    }
                    // A dY down the columns: rows d0, d0 + d1, d0 − d1, −d1; then · Aᵀ along each.
                    @inline(__always) func row(_ r: Int, _ a0: Lanes, _ a1: Lanes) {
                        @inline(__always) func store(_ k: Int, _ value: Lanes) {
                            UnsafeMutableRawPointer(out + (r * 4 + k) * op + q).storeBytes(of: value, as: Lanes.self)
                        }
                        store(0, a0); store(1, a0 + a1); store(2, a0 - a1); store(3, negated(a1))
                    }
                    row(0, g00, g01); row(1, g00 + g10, g01 + g11); row(2, g00 - g10, g01 - g11); row(3, negated(g10), negated(g11))
                    q += 8
                }
                while q < p {
                    let (g00, g01, g10, g11) = gather(q)
                    @inline(__always) func row(_ r: Int, _ a0: Float, _ a1: Float) {
                        out[(r * 4 + 0) * op + q] = a0; out[(r * 4 + 1) * op + q] = a0 + a1
                        out[(r * 4 + 2) * op + q] = a0 - a1; out[(r * 4 + 3) * op + q] = -a1
                    }
                    row(0, g00, g01); row(1, g00 + g10, g01 + g11); row(2, g00 - g10, g01 - g11); row(3, -g10, -g11)
                    q += 1
                }
            }
        }
    }
}
