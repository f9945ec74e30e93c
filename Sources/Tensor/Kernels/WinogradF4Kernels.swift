/// Winograd F(4×4, 3×3) for 3×3 stride-1 padding-1 convolutions (Lavin & Gray, 2015): each
/// 4×4 output tile costs 36 multiplies per channel pair instead of 144, as 36 independent
/// GEMMs over transformed tiles — 2.25 multiplies an output against F(2×2, 3×3)'s 4
/// (``WinogradKernels``), for larger transforms and a little more rounding.
///
/// Transforms (correlation form, interpolation points 0, ±1, ±2, ∞): V = Bᵀ d B, U = G g Gᵀ,
/// Y = Aᵀ M A with
///
///     Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///     G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
///
/// Layouts: U[36][O][C], V[36][C][P], M[36][O][P], with P = images × tiles and tiles numbered
/// row by row. Every transform works eight stream columns (tiles of any row or image, or eight
/// weight pairs) at a time in SIMD lanes; a last partial group runs the same lane code on
/// repeated inputs and stores only its valid lanes, so there is one formula per transform.
/// The image side goes through zero-bordered copies of the planes, so no tile needs a bounds check.
enum WinogradF4Kernels {
    typealias Lanes = SIMD8<Float>

    /// Whether the automatic choice takes this path over F(2×2, 3×3): where it needs fewer
    /// multiplies, counting the tiles' overhang (36 per 4×4 tile against 16 per 2×2 tile). For square
    /// maps, every side from 3 up but 5 and 6 (a tie): measured with `fashion bench step`,
    /// F(4×4) wins on ResNet-18's 56, 28, 14, 7 and 4 px maps and loses 2.3× on 2×2 ones
    /// (Docs/PERFORMANCE.md).
    static func wins(_ g: ConvolutionGeometry) -> Bool {
        let f4 = 36 * ((g.outHeight + 3) / 4) * ((g.outWidth + 3) / 4)
        let f2 = 16 * ((g.outHeight + 1) / 2) * ((g.outWidth + 1) / 2)
        return f4 < f2
    }

    struct Tiles {
        let rows: Int, columns: Int
        var perImage: Int { rows * columns }
        init(_ g: ConvolutionGeometry) { rows = (g.outHeight + 3) / 4; columns = (g.outWidth + 3) / 4 }
        /// Row width and size of a plane padded to whole tiles plus the transform's border.
        var paddedWidth: Int { 4 * columns + 2 }
        var paddedPlane: Int { (4 * rows + 2) * paddedWidth }
    }

    /// Images per group so that V and M stay within the column budget, in groups of equal size:
    /// a 224-px step at batch 32 runs layer1 as two groups of 16 and peaks at 1,452 MiB (1,520
    /// with groups of 18 and 14); batch 128 at 14×14 is one group. (Half the budget saved as
    /// much memory but split batch 128 into 64 + 64: 106–114 against 121 images/s.)
    static func imagesPerGroup(_ g: ConvolutionGeometry, inChannels c: Int, outChannels o: Int) -> Int {
        let perImage = 36 * (c + o) * Tiles(g).perImage
        let most = max(1, min(g.batch, ConvolutionKernels.columnBudget / max(1, perImage)))
        let groups = (g.batch + most - 1) / most
        return (g.batch + groups - 1) / groups
    }

    // MARK: One-dimensional transforms (six points, or three and four)

    /// Bᵀ d for a column (or row) d0…d5.
    @inline(__always) static func inputTransform(_ d: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes))
        -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let a = d.4 - 4 * d.2, b = d.3 - 4 * d.1        // rows 1 and 2: a − b and a + b
        let c = d.4 - d.2, e = 2 * (d.3 - d.1)           // rows 3 and 4: c + e and c − e
        return (4 * d.0 - 5 * d.2 + d.4, a + b, a - b, c + e, c - e, 4 * d.1 - 5 * d.3 + d.5)
    }

    /// Aᵀ m for m0…m5.
    @inline(__always) static func outputTransform(_ m: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes) {
        let s12 = m.1 + m.2, d12 = m.1 - m.2, s34 = m.3 + m.4, d34 = m.3 - m.4
        return (m.0 + s12 + s34, d12 + 2 * d34, s12 + 4 * s34, d12 + 8 * d34 + m.5)
    }

    /// A y (the adjoint of ``outputTransform(_:)``) for y0…y3.
    @inline(__always) static func outputAdjoint(_ y: (Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let e = y.0 + y.2, o = y.1 + y.3, e4 = y.0 + 4 * y.2, o8 = 2 * y.1 + 8 * y.3
        return (y.0, e + o, e - o, e4 + o8, e4 - o8, y.3)
    }

    static let sixth: Float = 1.0 / 6.0, twelfth: Float = 1.0 / 12.0, twentyFourth: Float = 1.0 / 24.0

    /// G g for g0…g2.
    @inline(__always) static func weightTransform(_ g: (Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let s = g.0 + g.2
        let p = twentyFourth * g.0 + sixth * g.2, q = twelfth * g.1
        return (0.25 * g.0, -sixth * (s + g.1), -sixth * (s - g.1), p + q, p - q, g.2)
    }

    /// Gᵀ u (the adjoint of ``weightTransform(_:)``) for u0…u5.
    @inline(__always) static func weightAdjoint(_ u: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) -> (Lanes, Lanes, Lanes) {
        let s12 = u.1 + u.2, s34 = u.3 + u.4
        return (0.25 * u.0 - sixth * s12 + twentyFourth * s34,
                sixth * (u.2 - u.1) + twelfth * (u.3 - u.4),
                sixth * (s34 - s12) + u.5)
    }

    /// Stores the first `n` lanes of `value` at `p` (all eight with one store).
    @inline(__always) static func store(_ value: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: value, as: Lanes.self) } else { for l in 0..<n { p[l] = value[l] } }
    }

    /// Eight floats from `p`; past the first `n`, the last valid one repeated.
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
        if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
        var v = Lanes(); for l in 0..<8 { v[l] = p[min(l, n - 1)] }
        return v
    }

    /// `p[4l + s]` for lanes l = 0…7, s = 0…3: eight consecutive tiles' four values of one row.
    @inline(__always) static func deinterleave4(_ p: UnsafePointer<Float>) -> (Lanes, Lanes, Lanes, Lanes) {
        let a = UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
        let e = a.evenHalf, o = a.oddHalf
        return (e.evenHalf, o.evenHalf, e.oddHalf, o.oddHalf)
    }

    /// The inverse of ``deinterleave4(_:)``: `p[4l + s] = v.s[l]`, one 32-float store.
    @inline(__always) static func interleave4(_ v: (Lanes, Lanes, Lanes, Lanes), _ p: UnsafeMutablePointer<Float>) {
        var e = SIMD16<Float>(), o = SIMD16<Float>(), a = SIMD32<Float>()
        e.evenHalf = v.0; e.oddHalf = v.2; o.evenHalf = v.1; o.oddHalf = v.3
        a.evenHalf = e; a.oddHalf = o
        UnsafeMutableRawPointer(p).storeBytes(of: a, as: SIMD32<Float>.self)
    }

    /// Calls `body(q, n)` for groups of `n` ≤ 8 consecutive stream columns covering `0..<p`. Maps
    /// of eight tiles a row or more take groups of eight within a tile row (the last one of a
    /// row overlapping its neighbour: those tiles are computed twice, to the same bits), so
    /// every group is eight consecutive tiles; narrower maps take eight columns in turn.
    @inline(__always) static func forEachGroup(_ p: Int, _ tiles: Tiles, _ body: (_ q: Int, _ n: Int) -> Void) {
        let cols = tiles.columns
        if cols >= 8 {
            for rowStart in stride(from: 0, to: p, by: cols) {
                var tx = 0
                while tx < cols { body(rowStart + min(tx, cols - 8), 8); tx += 8 }
            }
        } else {
            var q = 0
            while q < p { let n = min(8, p - q); body(q, n); q += n }
        }
    }

    // MARK: Weights

    /// U = G g Gᵀ for every (o, c): `w` is O×C×3×3, `u` is [36][O][C].
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                 _ u: UnsafeMutablePointer<Float>) {
        let oc = o * c
        Threading.parallelRanges((oc + 7) / 8, minimumGrain: 256) { range in
            for block in range {
                let idx = block * 8, n = min(8, oc - idx)
                @inline(__always) func tap(_ t: Int) -> Lanes {
                    let g = w + idx * 9 + t
                    if n == 8 { return Lanes(g[0], g[9], g[18], g[27], g[36], g[45], g[54], g[63]) }
                    var v = Lanes(); for l in 0..<8 { v[l] = g[min(l, n - 1) * 9] }
                    return v
                }
                // G down each kernel column, then G along each of the six rows.
                let c0 = weightTransform((tap(0), tap(3), tap(6)))
                let c1 = weightTransform((tap(1), tap(4), tap(7)))
                let c2 = weightTransform((tap(2), tap(5), tap(8)))
                @inline(__always) func row(_ r: Int, _ g: (Lanes, Lanes, Lanes)) {
                    let t = weightTransform(g)
                    store(t.0, u + (r * 6 + 0) * oc + idx, n); store(t.1, u + (r * 6 + 1) * oc + idx, n)
                    store(t.2, u + (r * 6 + 2) * oc + idx, n); store(t.3, u + (r * 6 + 3) * oc + idx, n)
                    store(t.4, u + (r * 6 + 4) * oc + idx, n); store(t.5, u + (r * 6 + 5) * oc + idx, n)
                }
                row(0, (c0.0, c1.0, c2.0)); row(1, (c0.1, c1.1, c2.1)); row(2, (c0.2, c1.2, c2.2))
                row(3, (c0.3, c1.3, c2.3)); row(4, (c0.4, c1.4, c2.4)); row(5, (c0.5, c1.5, c2.5))
            }
        }
    }

    /// dg = Gᵀ dU G (the adjoint of ``transformWeights(_:outChannels:inChannels:_:)``):
    /// `du` is [36][O][C], `dw` O×C×3×3.
    static func transformWeightGradient(_ du: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                        _ dw: UnsafeMutablePointer<Float>) {
        let oc = o * c
        Threading.parallelRanges((oc + 7) / 8, minimumGrain: 256) { range in
            for block in range {
                let idx = block * 8, n = min(8, oc - idx)
                @inline(__always) func m(_ k: Int) -> Lanes { load(du + k * oc + idx, n) }
                // Gᵀ along each of the six rows, then Gᵀ down the three columns.
                @inline(__always) func row(_ r: Int) -> (Lanes, Lanes, Lanes) {
                    weightAdjoint((m(r * 6), m(r * 6 + 1), m(r * 6 + 2), m(r * 6 + 3), m(r * 6 + 4), m(r * 6 + 5)))
                }
                let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5)
                let k0 = weightAdjoint((r0.0, r1.0, r2.0, r3.0, r4.0, r5.0))
                let k1 = weightAdjoint((r0.1, r1.1, r2.1, r3.1, r4.1, r5.1))
                let k2 = weightAdjoint((r0.2, r1.2, r2.2, r3.2, r4.2, r5.2))
                for l in 0..<n {
                    let out = dw + (idx + l) * 9
                    out[0] = k0.0[l]; out[1] = k1.0[l]; out[2] = k2.0[l]
                    out[3] = k0.1[l]; out[4] = k1.1[l]; out[5] = k2.1[l]
                    out[6] = k0.2[l]; out[7] = k1.2[l]; out[8] = k2.2[l]
                }
            }
        }
    }

    /// The weights of the input gradient's convolution: C×O×3×3 with every kernel turned by 180°.
    static func flippedTransposed(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                  _ f: UnsafeMutablePointer<Float>) {
        Threading.parallelRanges(c, minimumGrain: max(1, 4096 / max(1, 9 * o))) { range in
            for ci in range {
                for oi in 0..<o {
                    let src = w + (oi * c + ci) * 9, dst = f + (ci * o + oi) * 9
                    for t in 0..<9 { dst[t] = src[8 - t] }
                }
            }
        }
    }

    // MARK: Tiles

    /// V = Bᵀ d B for every (image, channel, tile) of `count` images of `x` (C×H×W each), into
    /// `v` ([36][C][P], P = count × tiles).
    static func transformInput(_ x: UnsafePointer<Float>, count: Int, channels c: Int, height h: Int, width w: Int,
                               tiles: Tiles, _ v: UnsafeMutablePointer<Float>) {
        let t = tiles.perImage, p = count * t, cp = c * p
        let pw = tiles.paddedWidth, pp = tiles.paddedPlane
        Threading.parallelRanges(c, minimumGrain: max(1, 4096 / max(p, 1))) { range in
            // Borders stay zero, interiors are overwritten; 8 floats past the end for the last
            // tile row's 32-float loads (which read 2 past its last tile).
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: count * pp + 8)
            padded.initialize(repeating: 0, count: count * pp + 8)
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: p)
            defer { padded.deallocate(); offsets.deallocate() }
            for q in 0..<p { let k = q % t; offsets[q] = (q / t) * pp + 4 * (k / tiles.columns) * pw + 4 * (k % tiles.columns) }
            for ch in range {
                for i in 0..<count {
                    let plane = x + (i * c + ch) * h * w, target = padded + i * pp + pw + 1
                    for y in 0..<h { (target + y * pw).update(from: plane + y * w, count: w) }
                }
                let out = v + ch * p
                forEachGroup(p, tiles) { q, n in
                    let o0 = offsets[q], o1 = offsets[q + min(1, n - 1)], o2 = offsets[q + min(2, n - 1)], o3 = offsets[q + min(3, n - 1)]
                    let o4 = offsets[q + min(4, n - 1)], o5 = offsets[q + min(5, n - 1)], o6 = offsets[q + min(6, n - 1)], o7 = offsets[q + min(7, n - 1)]
                    // Eight consecutive tiles of one tile row (offsets 4 apart) read each input row
                    // with two 32-float loads; any other eight are gathered value by value.
                    let consecutive = n == 8 && o7 - o0 == 28
                    @inline(__always) func inputRow(_ r: Int) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
                        let b = padded + r * pw
                        if consecutive {
                            let a = deinterleave4(b + o0), c = deinterleave4(b + o0 + 4)
                            return (a.0, a.1, a.2, a.3, c.0, c.1)
                        }
                        @inline(__always) func d(_ s: Int) -> Lanes { Lanes(b[o0 + s], b[o1 + s], b[o2 + s], b[o3 + s], b[o4 + s], b[o5 + s], b[o6 + s], b[o7 + s]) }
                        return (d(0), d(1), d(2), d(3), d(4), d(5))
                    }
                    let x0 = inputRow(0), x1 = inputRow(1), x2 = inputRow(2), x3 = inputRow(3), x4 = inputRow(4), x5 = inputRow(5)
                    // Bᵀ down each of the six columns, then Bᵀ along each row.
                    let e0 = inputTransform((x0.0, x1.0, x2.0, x3.0, x4.0, x5.0)), e1 = inputTransform((x0.1, x1.1, x2.1, x3.1, x4.1, x5.1))
                    let e2 = inputTransform((x0.2, x1.2, x2.2, x3.2, x4.2, x5.2)), e3 = inputTransform((x0.3, x1.3, x2.3, x3.3, x4.3, x5.3))
                    let e4 = inputTransform((x0.4, x1.4, x2.4, x3.4, x4.4, x5.4)), e5 = inputTransform((x0.5, x1.5, x2.5, x3.5, x4.5, x5.5))
                    @inline(__always) func row(_ r: Int, _ a: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) {
                        let z = inputTransform(a)
                        let base = out + r * 6 * cp + q
                        store(z.0, base, n); store(z.1, base + cp, n); store(z.2, base + 2 * cp, n)
                        store(z.3, base + 3 * cp, n); store(z.4, base + 4 * cp, n); store(z.5, base + 5 * cp, n)
                    }
                    row(0, (e0.0, e1.0, e2.0, e3.0, e4.0, e5.0)); row(1, (e0.1, e1.1, e2.1, e3.1, e4.1, e5.1))
                    row(2, (e0.2, e1.2, e2.2, e3.2, e4.2, e5.2)); row(3, (e0.3, e1.3, e2.3, e3.3, e4.3, e5.3))
                    row(4, (e0.4, e1.4, e2.4, e3.4, e4.4, e5.4)); row(5, (e0.5, e1.5, e2.5, e3.5, e4.5, e5.5))
                }
            }
        }
    }

    /// Y = Aᵀ M A (+ bias) for `count` images into `y` (O×OH×OW each); `m` is [36][O][P]. Each
    /// channel's tiles go to a plane padded to whole tiles, whose inside is then copied out.
    static func transformOutput(_ m: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                tiles: Tiles, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                                epilogue: OutputEpilogue = .none) {
        let t = tiles.perImage, p = count * t, op = o * p
        let tw = 4 * tiles.columns, tp = 16 * t   // the whole-tile plane: row width, size
        Threading.parallelRanges(o, minimumGrain: max(1, 4096 / max(p, 1))) { range in
            let planes = UnsafeMutablePointer<Float>.allocate(capacity: count * tp)
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: p)
            defer { planes.deallocate(); offsets.deallocate() }
            for q in 0..<p { let k = q % t; offsets[q] = (q / t) * tp + 4 * (k / tiles.columns) * tw + 4 * (k % tiles.columns) }
            for ch in range {
                let b = Lanes(repeating: bias?[ch] ?? 0)
                let source = m + ch * p
                forEachGroup(p, tiles) { q, n in
                    let consecutive = n == 8 && offsets[q + 7] - offsets[q] == 28   // one tile row: 32-float stores
                    @inline(__always) func mm(_ k: Int) -> Lanes { load(source + k * op + q, n) }
                    // Aᵀ down each of the six columns, then Aᵀ along each of the four rows.
                    @inline(__always) func column(_ s: Int) -> (Lanes, Lanes, Lanes, Lanes) {
                        outputTransform((mm(s), mm(6 + s), mm(12 + s), mm(18 + s), mm(24 + s), mm(30 + s)))
                    }
                    let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
                    @inline(__always) func row(_ r: Int, _ a: (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)) {
                        let z = outputTransform(a)
                        let y0 = z.0 + b, y1 = z.1 + b, y2 = z.2 + b, y3 = z.3 + b
                        if consecutive { interleave4((y0, y1, y2, y3), planes + offsets[q] + r * tw); return }
                        for l in 0..<n {
                            let at = planes + offsets[q + l] + r * tw
                            at[0] = y0[l]; at[1] = y1[l]; at[2] = y2[l]; at[3] = y3[l]
                        }
                    }
                    row(0, (c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)); row(1, (c0.1, c1.1, c2.1, c3.1, c4.1, c5.1))
                    row(2, (c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)); row(3, (c0.3, c1.3, c2.3, c3.3, c4.3, c5.3))
                }
                for i in 0..<count {
                    let out = y + (i * o + ch) * oh * ow, plane = planes + i * tp
                    for yy in 0..<oh { (out + yy * ow).update(from: plane + yy * tw, count: ow) }
                    epilogue.apply(out, count: oh * ow, at: (i * o + ch) * oh * ow)
                }
            }
        }
    }

    /// dM = A dY Aᵀ (the adjoint of ``transformOutput(_:count:channels:outHeight:outWidth:tiles:bias:_:)``)
    /// for `count` images of `dy`, into `dm` ([36][O][P]); outside the map the gradient is zero.
    static func transformOutputGradient(_ dy: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                        tiles: Tiles, _ dm: UnsafeMutablePointer<Float>) {
        let t = tiles.perImage, p = count * t, op = o * p
        let tw = 4 * tiles.columns, tp = 16 * t
        Threading.parallelRanges(o, minimumGrain: max(1, 4096 / max(p, 1))) { range in
            let planes = UnsafeMutablePointer<Float>.allocate(capacity: count * tp)
            planes.initialize(repeating: 0, count: count * tp)   // past the map stays zero
            let offsets = UnsafeMutablePointer<Int>.allocate(capacity: p)
            defer { planes.deallocate(); offsets.deallocate() }
            for q in 0..<p { let k = q % t; offsets[q] = (q / t) * tp + 4 * (k / tiles.columns) * tw + 4 * (k % tiles.columns) }
            for ch in range {
                for i in 0..<count {
                    let g = dy + (i * o + ch) * oh * ow, plane = planes + i * tp
                    for yy in 0..<oh { (plane + yy * tw).update(from: g + yy * ow, count: ow) }
                }
                let out = dm + ch * p
                forEachGroup(p, tiles) { q, n in
                    let o0 = offsets[q], o1 = offsets[q + min(1, n - 1)], o2 = offsets[q + min(2, n - 1)], o3 = offsets[q + min(3, n - 1)]
                    let o4 = offsets[q + min(4, n - 1)], o5 = offsets[q + min(5, n - 1)], o6 = offsets[q + min(6, n - 1)], o7 = offsets[q + min(7, n - 1)]
                    let consecutive = n == 8 && o7 - o0 == 28   // one tile row: a 32-float load per row
                    @inline(__always) func gradientRow(_ r: Int) -> (Lanes, Lanes, Lanes, Lanes) {
                        let b = planes + r * tw
                        if consecutive { return deinterleave4(b + o0) }
                        @inline(__always) func d(_ s: Int) -> Lanes { Lanes(b[o0 + s], b[o1 + s], b[o2 + s], b[o3 + s], b[o4 + s], b[o5 + s], b[o6 + s], b[o7 + s]) }
                        return (d(0), d(1), d(2), d(3))
                    }
                    let x0 = gradientRow(0), x1 = gradientRow(1), x2 = gradientRow(2), x3 = gradientRow(3)
                    // A down each of the four columns, then A along each of the six rows.
                    let e0 = outputAdjoint((x0.0, x1.0, x2.0, x3.0)), e1 = outputAdjoint((x0.1, x1.1, x2.1, x3.1))
                    let e2 = outputAdjoint((x0.2, x1.2, x2.2, x3.2)), e3 = outputAdjoint((x0.3, x1.3, x2.3, x3.3))
                    @inline(__always) func row(_ r: Int, _ a: (Lanes, Lanes, Lanes, Lanes)) {
                        let z = outputAdjoint(a)
                        let base = out + r * 6 * op + q
                        store(z.0, base, n); store(z.1, base + op, n); store(z.2, base + 2 * op, n)
                        store(z.3, base + 3 * op, n); store(z.4, base + 4 * op, n); store(z.5, base + 5 * op, n)
                    }
                    row(0, (e0.0, e1.0, e2.0, e3.0)); row(1, (e0.1, e1.1, e2.1, e3.1)); row(2, (e0.2, e1.2, e2.2, e3.2))
                    row(3, (e0.3, e1.3, e2.3, e3.3)); row(4, (e0.4, e1.4, e2.4, e3.4)); row(5, (e0.5, e1.5, e2.5, e3.5))
                }
            }
        }
    }

    // MARK: Convolution passes (the tile loop is WinogradTileDriver's)

    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue = .none) {
        WinogradTileDriver<Self>.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
    }

    /// The forward with weights already transformed (``transformWeights(_:outChannels:inChannels:_:)``).
    static func forward(_ x: UnsafePointer<Float>, transformedWeights u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue = .none) {
        WinogradTileDriver<Self>.forward(x, transformedWeights: u, bias: bias, y, g, epilogue: epilogue)
    }

    /// The input gradient: the same convolution of `dy` with the kernels turned by 180° and
    /// transposed (the points ±2 do not map onto themselves under the turn, so unlike
    /// F(2×2, 3×3) the transform cannot be permuted; turning 9·O·C floats is cheap).
    static func backwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        let o = g.outChannels, c = g.inChannels
        Workspace.shared.withBuffer(45 * o * c) { scratch in
            let u = scratch, flipped = scratch + 36 * o * c
            flippedTransposed(weight, outChannels: o, inChannels: c, flipped)
            transformWeights(flipped, outChannels: c, inChannels: o, u)
            WinogradTileDriver<Self>.convolve(dy, transformedWeights: u, bias: nil, dx, batch: g.batch, inChannels: o, outChannels: c,
                                              height: g.height, width: g.width, g, epilogue: .none)
        }
    }

    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                               dweight: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        WinogradTileDriver<Self>.backwardWeight(dy, x, dweight: dweight, g)
    }
}

extension WinogradF4Kernels: WinogradTransforms {
    static var components: Int { 36 }
}
extension WinogradF4Kernels.Tiles: WinogradTiling {}
