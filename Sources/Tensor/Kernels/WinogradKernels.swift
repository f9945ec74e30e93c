/// Winograd F(2×2, 3×3) for 3×3 stride-1 padding-1 convolutions (Lavin & Gray, 2015):
/// each 2×2 output tile costs 16 multiplies per channel pair instead of 36, as 16
/// independent GEMMs over transformed tiles. The forward, the input gradient (the
/// same convolution with flipped, transposed weights) and the weight gradient (the
/// adjoint of the forward's transforms) all take this path.
///
/// Transforms (correlation form): V = Bᵀ d B, U = G g Gᵀ, Y = Aᵀ M A with
/// Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
/// Aᵀ = [1 1 1 0; 0 1 −1 −1]. Layouts: U[16][O][C], V[16][C][P], M[16][O][P], with
/// P = images × tiles and tiles numbered row by row.
enum WinogradKernels {
    /// Whether `g` is a convolution this path computes.
    static func computes(_ g: ConvolutionGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideY == 1 && g.strideX == 1 && g.padY == 1 && g.padX == 1
    }

    /// Whether the automatic choice takes this path: every 3×3 stride-1 padding-1
    /// convolution (measured faster than im2col on all of ResNet-18's, layer1's 64
    /// channels included, with `fashion bench kernels`; see Docs/PERFORMANCE.md).
    static func applies(_ g: ConvolutionGeometry) -> Bool { computes(g) }

    struct Tiles {
        let rows: Int, columns: Int
        var perImage: Int { rows * columns }
        init(_ g: ConvolutionGeometry) { rows = (g.outHeight + 1) / 2; columns = (g.outWidth + 1) / 2 }
        /// Fewer tiles a row than the row-wise transforms' eight lanes: the lane-wise transforms
        /// (WinogradNarrowTransforms.swift) take such maps.
        var isNarrow: Bool { columns < 8 }
    }

    /// Images per group so that V and M stay within the column budget.
    static func imagesPerGroup(_ g: ConvolutionGeometry, inChannels c: Int, outChannels o: Int) -> Int {
        let t = Tiles(g).perImage
        let perImage = 16 * (c + o) * t
        return max(1, min(g.batch, ConvolutionKernels.columnBudget / max(1, perImage)))
    }

    // MARK: Transforms

    /// U = G g Gᵀ for every (o, c): `w` is O×C×3×3, `u` is [16][O][C].
    ///
    /// Eight (o, c) pairs at a time: each of the 16 outputs is one 8-wide store into its
    /// stream (scalar code spends its time on 16 scattered stores per pair). Every lane
    /// computes the scalar formula of the tail loop operation for operation, so the two
    /// agree bit for bit.
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                 _ u: UnsafeMutablePointer<Float>) {
        let oc = o * c
        Threading.parallelRanges(oc, minimumGrain: 4096) { range in
            typealias V = SIMD8<Float>
            var idx = range.lowerBound
            while idx + 8 <= range.upperBound {
                let g = w + idx * 9
                @inline(__always) func tap(_ t: Int) -> V {
                    V(g[t], g[9 + t], g[18 + t], g[27 + t], g[36 + t], g[45 + t], g[54 + t], g[63 + t])
                }
                let g0 = tap(0), g1 = tap(1), g2 = tap(2), g3 = tap(3), g4 = tap(4), g5 = tap(5), g6 = tap(6), g7 = tap(7), g8 = tap(8)
                @inline(__always) func store(_ k: Int, _ value: V) {
                    UnsafeMutableRawPointer(u + k * oc + idx).storeBytes(of: value, as: V.self)
                }
                @inline(__always) func row(_ i: Int, _ r0: V, _ r1: V, _ r2: V) {
                    store(i * 4 + 0, r0)
                    store(i * 4 + 1, 0.5 * (r0 + r1 + r2))
                    store(i * 4 + 2, 0.5 * (r0 - r1 + r2))
                    store(i * 4 + 3, r2)
                }
                row(0, g0, g1, g2)
                row(1, 0.5 * (g0 + g3 + g6), 0.5 * (g1 + g4 + g7), 0.5 * (g2 + g5 + g8))
                row(2, 0.5 * (g0 - g3 + g6), 0.5 * (g1 - g4 + g7), 0.5 * (g2 - g5 + g8))
                row(3, g6, g7, g8)
                idx += 8
            }
            while idx < range.upperBound {
                let g = w + idx * 9
                // Row i of G g, then that row times Gᵀ.
                @inline(__always) func row(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float) {
                    u[(i * 4 + 0) * oc + idx] = r0
                    u[(i * 4 + 1) * oc + idx] = 0.5 * (r0 + r1 + r2)
                    u[(i * 4 + 2) * oc + idx] = 0.5 * (r0 - r1 + r2)
                    u[(i * 4 + 3) * oc + idx] = r2
                }
                row(0, g[0], g[1], g[2])
                row(1, 0.5 * (g[0] + g[3] + g[6]), 0.5 * (g[1] + g[4] + g[7]), 0.5 * (g[2] + g[5] + g[8]))
                row(2, 0.5 * (g[0] - g[3] + g[6]), 0.5 * (g[1] - g[4] + g[7]), 0.5 * (g[2] - g[5] + g[8]))
                row(3, g[6], g[7], g[8])
                idx += 1
            }
        }
    }

    /// dg = Gᵀ dU G (the adjoint of ``transformWeights``): `du` is [16][O][C], `dw` O×C×3×3.
    /// Eight pairs at a time (16 contiguous 8-wide loads), bit-identical to the scalar tail.
    static func transformWeightGradient(_ du: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int,
                                        _ dw: UnsafeMutablePointer<Float>) {
        let oc = o * c
        Threading.parallelRanges(oc, minimumGrain: 4096) { range in
            typealias V = SIMD8<Float>
            var idx = range.lowerBound
            while idx + 8 <= range.upperBound {
                @inline(__always) func m(_ k: Int) -> V { UnsafeRawPointer(du + k * oc + idx).loadUnaligned(as: V.self) }
                let out = dw + idx * 9
                @inline(__always) func row(_ i: Int, _ r0: V, _ r1: V, _ r2: V, _ r3: V) {
                    let a = r0 + 0.5 * (r1 + r2), b = 0.5 * (r1 - r2), c = 0.5 * (r1 + r2) + r3
                    for lane in 0..<8 {
                        out[lane * 9 + i * 3] = a[lane]; out[lane * 9 + i * 3 + 1] = b[lane]; out[lane * 9 + i * 3 + 2] = c[lane]
                    }
                }
                let m4 = m(4), m5 = m(5), m6 = m(6), m7 = m(7), m8 = m(8), m9 = m(9), m10 = m(10), m11 = m(11)
                row(0, m(0) + 0.5 * (m4 + m8), m(1) + 0.5 * (m5 + m9), m(2) + 0.5 * (m6 + m10), m(3) + 0.5 * (m7 + m11))
                row(1, 0.5 * (m4 - m8), 0.5 * (m5 - m9), 0.5 * (m6 - m10), 0.5 * (m7 - m11))
                row(2, 0.5 * (m4 + m8) + m(12), 0.5 * (m5 + m9) + m(13), 0.5 * (m6 + m10) + m(14), 0.5 * (m7 + m11) + m(15))
                idx += 8
            }
            while idx < range.upperBound {
                @inline(__always) func m(_ k: Int) -> Float { du[k * oc + idx] }
                let out = dw + idx * 9
                // Row i of Gᵀ dU (a 4-vector), then that row times G.
                @inline(__always) func row(_ i: Int, _ r0: Float, _ r1: Float, _ r2: Float, _ r3: Float) {
                    out[i * 3] = r0 + 0.5 * (r1 + r2); out[i * 3 + 1] = 0.5 * (r1 - r2); out[i * 3 + 2] = 0.5 * (r1 + r2) + r3
                }
                row(0, m(0) + 0.5 * (m(4) + m(8)), m(1) + 0.5 * (m(5) + m(9)), m(2) + 0.5 * (m(6) + m(10)), m(3) + 0.5 * (m(7) + m(11)))
                row(1, 0.5 * (m(4) - m(8)), 0.5 * (m(5) - m(9)), 0.5 * (m(6) - m(10)), 0.5 * (m(7) - m(11)))
                row(2, 0.5 * (m(4) + m(8)) + m(12), 0.5 * (m(5) + m(9)) + m(13), 0.5 * (m(6) + m(10)) + m(14), 0.5 * (m(7) + m(11)) + m(15))
                idx += 1
            }
        }
    }

    /// V = Bᵀ d B for every (image, channel, tile) of `count` images of `x` (C×H×W each),
    /// into `v` ([16][C][P], P = count × tiles): row-wise for maps of eight tiles a row or more,
    /// lane-wise below (WinogradNarrowTransforms.swift); the two agree bit for bit.
    static func transformInput(_ x: UnsafePointer<Float>, count: Int, channels c: Int, height h: Int, width w: Int,
                               tiles: Tiles, _ v: UnsafeMutablePointer<Float>) {
        if tiles.isNarrow {
            transformInputByLanes(x, count: count, channels: c, height: h, width: w, tiles: tiles, v)
        } else {
            transformInputByRows(x, count: count, channels: c, height: h, width: w, tiles: tiles, v)
        }
    }

    /// Works a tile row at a time: Bᵀ over the four input rows for the whole width, then · B
    /// per tile, so every inner loop runs over consecutive tiles and writes 16 contiguous streams.
    static func transformInputByRows(_ x: UnsafePointer<Float>, count: Int, channels c: Int, height h: Int, width w: Int,
                               tiles: Tiles, _ v: UnsafeMutablePointer<Float>) {
        let t = tiles.perImage, p = count * t, cp = c * p, tw = tiles.columns
        let pw = 2 * tw + 2   // padded row width: one zero column left, the rest right
        Threading.parallelRanges(count * c, minimumGrain: max(1, 2048 / max(t, 1))) { range in
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: 8 * pw)
            defer { rows.deallocate() }
            let e = rows + 4 * pw
            for idx in range {
                let ch = idx / count, i = idx % count   // channel-major: consecutive images write adjacent tiles
                let plane = x + (i * c + ch) * h * w
                let base = ch * p + i * t
                for ty in 0..<tiles.rows {
                    // The four padded input rows of this tile row.
                    for r in 0..<4 {
                        let iy = 2 * ty - 1 + r, row = rows + r * pw
                        row.update(repeating: 0, count: pw)
                        if iy >= 0 && iy < h { (row + 1).update(from: plane + iy * w, count: w) }
                    }
                    let r0 = rows, r1 = rows + pw, r2 = rows + 2 * pw, r3 = rows + 3 * pw
                    let e0 = e, e1 = e + pw, e2 = e + 2 * pw, e3 = e + 3 * pw
                    for j in 0..<pw {
                        e0[j] = r0[j] - r2[j]; e1[j] = r1[j] + r2[j]; e2[j] = r2[j] - r1[j]; e3[j] = r1[j] - r3[j]
                    }
                    let col = base + ty * tw
                    for r in 0..<4 {
                        let er = e + r * pw
                        let o0 = v + (r * 4 + 0) * cp + col, o1 = v + (r * 4 + 1) * cp + col
                        let o2 = v + (r * 4 + 2) * cp + col, o3 = v + (r * 4 + 3) * cp + col
                        // Eight tiles at a time: even and odd halves of two 16-wide loads are
                        // a0…a3 of eight consecutive tiles (the same operations as the tail).
                        var tx = 0
                        while tx + 8 <= tw {
                            let v = UnsafeRawPointer(er + 2 * tx).loadUnaligned(as: SIMD16<Float>.self)
                            let u = UnsafeRawPointer(er + 2 * tx + 2).loadUnaligned(as: SIMD16<Float>.self)
                            let a0 = v.evenHalf, a1 = v.oddHalf, a2 = u.evenHalf, a3 = u.oddHalf
                            UnsafeMutableRawPointer(o0 + tx).storeBytes(of: a0 - a2, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(o1 + tx).storeBytes(of: a1 + a2, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(o2 + tx).storeBytes(of: a2 - a1, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(o3 + tx).storeBytes(of: a1 - a3, as: SIMD8<Float>.self)
                            tx += 8
                        }
                        while tx < tw {
                            let a0 = er[2 * tx], a1 = er[2 * tx + 1], a2 = er[2 * tx + 2], a3 = er[2 * tx + 3]
                            o0[tx] = a0 - a2; o1[tx] = a1 + a2; o2[tx] = a2 - a1; o3[tx] = a1 - a3
                            tx += 1
                        }
                    }
                }
            }
        }
    }

    /// Y = Aᵀ M A (+ bias) for `count` images into `y` (O×OH×OW each); `m` is [16][O][P]. Row-wise
    /// for maps of eight tiles a row or more, lane-wise below; the two agree bit for bit.
    static func transformOutput(_ m: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                tiles: Tiles, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                                epilogue: OutputEpilogue = .none) {
        if tiles.isNarrow {
            transformOutputByLanes(m, count: count, channels: o, outHeight: oh, outWidth: ow, tiles: tiles, bias: bias, y, epilogue: epilogue)
        } else {
            transformOutputByRows(m, count: count, channels: o, outHeight: oh, outWidth: ow, tiles: tiles, bias: bias, y, epilogue: epilogue)
        }
    }

    /// A tile row at a time, eight tiles in lanes, each output row copied out whole.
    static func transformOutputByRows(_ m: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                tiles: Tiles, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                                epilogue: OutputEpilogue = .none) {
        let t = tiles.perImage, p = count * t, op = o * p, tw = tiles.columns
        let pw = 2 * tw
        Threading.parallelRanges(count * o, minimumGrain: max(1, 2048 / max(t, 1))) { range in
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: 2 * pw)
            defer { rows.deallocate() }
            for idx in range {
                let ch = idx / count, i = idx % count   // channel-major: consecutive images read adjacent tiles
                let out = y + (i * o + ch) * oh * ow
                let b = bias?[ch] ?? 0
                let base = ch * p + i * t
                for ty in 0..<tiles.rows {
                    let col = base + ty * tw
                    let y0 = rows, y1 = rows + pw
                    // Aᵀ M A, accumulated over M's four columns s: column s feeds output
                    // column 0 with weights (1, 1, 1, 0) and column 1 with (0, 1, −1, −1).
                    // Each output starts at the bias and takes s = 0…3 in order; eight tiles
                    // at a time in lanes, the rest one by one, the same operations.
                    @inline(__always) func weights(_ s: Int) -> (Float, Float) { (s == 3 ? 0 : 1, s == 0 ? 0 : (s == 1 ? 1 : -1)) }
                    var tx = 0
                    while tx + 8 <= tw {
                        typealias V = SIMD8<Float>
                        var e0 = V(repeating: b), d0 = e0, e1 = e0, d1 = e0
                        for s in 0..<4 {
                            @inline(__always) func load(_ r: Int) -> V { UnsafeRawPointer(m + (r * 4 + s) * op + col + tx).loadUnaligned(as: V.self) }
                            let m0 = load(0), m1 = load(1), m2 = load(2), m3 = load(3)
                            let (c0, c1) = weights(s)
                            let top = m0 + m1 + m2, bottom = m1 - m2 - m3
                            e0 += c0 * top; d0 += c1 * top
                            e1 += c0 * bottom; d1 += c1 * bottom
                        }
                        var r0 = SIMD16<Float>(), r1 = SIMD16<Float>()
                        r0.evenHalf = e0; r0.oddHalf = d0; r1.evenHalf = e1; r1.oddHalf = d1
                        UnsafeMutableRawPointer(y0 + 2 * tx).storeBytes(of: r0, as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(y1 + 2 * tx).storeBytes(of: r1, as: SIMD16<Float>.self)
                        tx += 8
                    }
                    while tx < tw {
                        var e0 = b, d0 = b, e1 = b, d1 = b
                        for s in 0..<4 {
                            let m0 = m[(0 + s) * op + col + tx], m1 = m[(4 + s) * op + col + tx]
                            let m2 = m[(8 + s) * op + col + tx], m3 = m[(12 + s) * op + col + tx]
                            let (c0, c1) = weights(s)
                            let top = m0 + m1 + m2, bottom = m1 - m2 - m3
                            e0 += c0 * top; d0 += c1 * top
                            e1 += c0 * bottom; d1 += c1 * bottom
                        }
                        y0[2 * tx] = e0; y0[2 * tx + 1] = d0; y1[2 * tx] = e1; y1[2 * tx + 1] = d1
                        tx += 1
                    }
                    let oy = 2 * ty
                    (out + oy * ow).update(from: y0, count: ow)
                    if oy + 1 < oh { (out + (oy + 1) * ow).update(from: y1, count: ow) }
                }
                epilogue.apply(out, count: oh * ow, at: (i * o + ch) * oh * ow)
            }
        }
    }

    /// dM = A dY Aᵀ (the adjoint of ``transformOutput``) for `count` images of `dy`, into `dm` ([16][O][P]).
    /// Row-wise for maps of eight tiles a row or more, lane-wise below; the two agree bit for bit.
    static func transformOutputGradient(_ dy: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                        tiles: Tiles, _ dm: UnsafeMutablePointer<Float>) {
        if tiles.isNarrow {
            transformOutputGradientByLanes(dy, count: count, channels: o, outHeight: oh, outWidth: ow, tiles: tiles, dm)
        } else {
            transformOutputGradientByRows(dy, count: count, channels: o, outHeight: oh, outWidth: ow, tiles: tiles, dm)
        }
    }

    /// Works a tile row at a time like ``transformInputByRows(_:count:channels:height:width:tiles:_:)``: A over the two
    /// gradient rows for the whole (zero-padded) width, then · Aᵀ per tile into 16 contiguous streams.
    static func transformOutputGradientByRows(_ dy: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                        tiles: Tiles, _ dm: UnsafeMutablePointer<Float>) {
        let t = tiles.perImage, p = count * t, op = o * p, tw = tiles.columns
        let pw = 2 * tw
        Threading.parallelRanges(count * o, minimumGrain: max(1, 2048 / max(t, 1))) { range in
            let rows = UnsafeMutablePointer<Float>.allocate(capacity: 6 * pw)
            defer { rows.deallocate() }
            let d0 = rows, d1 = rows + pw, e = rows + 2 * pw
            for idx in range {
                let ch = idx / count, i = idx % count
                let g = dy + (i * o + ch) * oh * ow
                let base = ch * p + i * t
                for ty in 0..<tiles.rows {
                    let y0 = 2 * ty
                    d0.update(repeating: 0, count: pw); d1.update(repeating: 0, count: pw)
                    d0.update(from: g + y0 * ow, count: ow)
                    if y0 + 1 < oh { d1.update(from: g + (y0 + 1) * ow, count: ow) }
                    // A dY: rows d0, d0 + d1, d0 − d1, −d1.
                    let e0 = e, e1 = e + pw, e2 = e + 2 * pw, e3 = e + 3 * pw
                    for j in 0..<pw { e0[j] = d0[j]; e1[j] = d0[j] + d1[j]; e2[j] = d0[j] - d1[j]; e3[j] = -d1[j] }
                    let col = base + ty * tw
                    for r in 0..<4 {
                        let er = e + r * pw
                        let o0 = dm + (r * 4 + 0) * op + col, o1 = dm + (r * 4 + 1) * op + col
                        let o2 = dm + (r * 4 + 2) * op + col, o3 = dm + (r * 4 + 3) * op + col
                        for tx in 0..<tw {
                            let a0 = er[2 * tx], a1 = er[2 * tx + 1]
                            o0[tx] = a0; o1[tx] = a0 + a1; o2[tx] = a0 - a1; o3[tx] = -a1
                        }
                    }
                }
            }
        }
    }

    // MARK: Convolution passes (the tile loop is WinogradTileDriver's)

    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue = .none) {
        WinogradTileDriver<Self>.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
    }

    /// The forward with weights already transformed (``transformWeights(_:outChannels:inChannels:_:)``), e.g. cached
    /// between inference batches.
    /// In bf16, `roundedWeights` is `u` rounded (``WinogradWeightCache/rounded(_:outChannels:inChannels:)``).
    static func forward(_ x: UnsafePointer<Float>, transformedWeights u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue = .none,
                        roundedWeights: UnsafePointer<UInt16>? = nil) {
        WinogradTileDriver<Self>.forward(x, transformedWeights: u, bias: bias, y, g, epilogue: epilogue, roundedWeights: roundedWeights)
    }

    /// The input gradient: the same convolution with flipped, transposed weights. Flipping a
    /// kernel swaps rows 0 and 3 of G (G·J = Q·G), so its transform is the forward's with
    /// components permuted (U' = Q·U·Q) — the GEMMs read the forward's U transposed, no flipped copy.
    static func backwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        Workspace.shared.withBuffer(16 * g.outChannels * g.inChannels) { u in
            transformWeights(weight, outChannels: g.outChannels, inChannels: g.inChannels, u)
            backwardInput(dy, transformedWeights: u, dx, g)
        }
    }

    /// The input gradient from the forward's transform `u` (``transformWeights(_:outChannels:inChannels:_:)``
    /// of the same weights), e.g. kept by the forward pass of a recorded convolution.
    static func backwardInput(_ dy: UnsafePointer<Float>, transformedWeights u: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        let q = { (r: Int) in r == 0 ? 3 : (r == 3 ? 0 : r) }
        WinogradTileDriver<Self>.convolve(dy, transformedWeights: u, bias: nil, dx, batch: g.batch, inChannels: g.outChannels,
                                          outChannels: g.inChannels, height: g.height, width: g.width, g, epilogue: .none,
                                          transposedComponent: { xi in q(xi / 4) * 4 + q(xi % 4) })
    }

    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                               dweight: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        WinogradTileDriver<Self>.backwardWeight(dy, x, dweight: dweight, g)
    }
}

extension WinogradKernels: WinogradTransforms {
    static var components: Int { 16 }
}
extension WinogradKernels.Tiles: WinogradTiling {}
