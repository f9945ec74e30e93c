/// im2col + GEMM convolution as one task per core: each core takes its own images, cuts each
/// into slabs of output rows whose column matrix stays in its cache, and runs single-threaded
/// `sgemm` — straight into the output (forward), from the output gradient in place (input
/// gradient), into its own weight-gradient sum (weight gradient; the cores' sums are added in
/// chunk order at the end). No gather or scatter copy, no column matrix larger than a slab, no
/// barrier between the GEMMs of one convolution.
///
/// ``ConvolutionKernels`` takes this path for maps with at least ``minimumPlane`` output
/// pixels per image, where a slab still makes a wide GEMM; smaller maps group images into one
/// parallel GEMM instead. The split depends only on the geometry and the core count, so the
/// results are the same on every run with the same threads.
enum ImageParallelConvolution {
    /// Largest slab of the column matrix or of its output, in floats (384 KiB: within a Zen
    /// core's 512 KiB L2), unless that would leave fewer than ``minimumColumns``.
    static let slabFloats = 96 * 1024
    /// Fewest GEMM columns a slab is cut to (at 7×7/2 and 1×1/2 the whole 28×28 map: measured
    /// 77–81 % of sgemm on layer2's downsample against 70–74 % with slabs of 392 columns).
    static let minimumColumns = 768
    /// Fewest output pixels per image for this path.
    static let minimumPlane = 49

    /// Whether the forward pass and weight gradient of `g` can take this path efficiently
    /// (``ConvolutionPlan`` decides whether they do).
    static func computes(_ g: ConvolutionGeometry) -> Bool {
        g.outPlane >= minimumPlane && g.batch * slabs(g) >= Threading.coreCount
    }

    /// Whether the input gradient of `g` can take this path efficiently (its tasks are whole
    /// images, since the slabs of one image add into overlapping input rows).
    static func computesInputGradient(_ g: ConvolutionGeometry) -> Bool {
        g.outPlane >= minimumPlane && g.batch >= Threading.coreCount
    }

    /// Output rows per slab: as many as fit ``slabFloats``, at least ``minimumColumns`` columns.
    static func slabRows(_ g: ConvolutionGeometry) -> Int {
        let ow = g.outWidth
        let byCache = slabFloats / max(1, max(g.patchSize, g.outChannels) * ow)
        let byWidth = (minimumColumns + ow - 1) / ow
        return max(1, min(g.outHeight, max(byCache, byWidth)))
    }

    /// Slabs per image.
    static func slabs(_ g: ConvolutionGeometry) -> Int {
        let rows = slabRows(g)
        return (g.outHeight + rows - 1) / rows
    }

    /// Task `t` of the (image, slab) tasks: its image, its output rows, and the slab's column
    /// matrix (`patchSize × rows.count·OW`, row stride `ldb`) — `x` read in place for a 1×1
    /// stride-1 convolution, else im2col into `col`.
    @inline(__always)
    private static func slab(_ t: Int, _ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, rows: Int, slabs: Int,
                             _ col: UnsafeMutablePointer<Float>) -> (n: Int, rows: Range<Int>, b: UnsafePointer<Float>, ldb: Int) {
        let n = t / slabs, r0 = t % slabs * rows, r = r0..<min(g.outHeight, r0 + rows)
        let xn = x + n * g.inChannels * g.height * g.width
        if g.isPointwise { return (n, r, xn + r0 * g.outWidth, g.outPlane) }
        let cols = r.count * g.outWidth
        for c in 0..<g.inChannels {
            for ky in 0..<g.kernelHeight { ConvolutionKernels.im2col(xn, g, channel: c, kernelRow: ky, rows: r, col, ldc: cols) }
        }
        return (n, r, UnsafePointer(col), cols)
    }

    /// `y = conv(x, weight) + bias`; tasks are (image, slab) pairs. With `projection`, also
    /// its `y = conv1×1(x, weight) + bias` from the same slab's centre-tap rows
    /// (`ConvolutionGeometry.centreTap`), without an epilogue.
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue = .none,
                        projection: ProjectionForward? = nil) {
        let k = g.patchSize, p = g.outPlane, o = g.outChannels
        let ow = g.outWidth, rows = slabRows(g), slabs = slabs(g), tasks = g.batch * slabs
        let slab = g.isPointwise ? 0 : k * rows * ow
        let q = projection, qo = projection?.outChannels ?? 0
        BFloat16.withRounded(g.precision, transposed: false, m: o, k: k, lda: k, matrix: { _ in weight }) { w16 in
            BFloat16.withRounded(g.precision, transposed: false, m: qo, k: g.inChannels, lda: g.inChannels,
                                 matrix: { _ in q?.weight ?? weight }) { q16 in
                Workspace.shared.withBuffer(max(1, Threading.chunkCount(tasks) * slab)) { scratch in
                    Threading.parallelChunks(tasks) { chunk, range in
                        for t in range {
                            let s = self.slab(t, x, g, rows: rows, slabs: slabs, scratch + chunk * slab), cols = s.rows.count * ow
                            let dst = y + s.n * o * p + s.rows.lowerBound * ow
                            product(weight: weight, rounded: w16, bias: bias, outChannels: o, b: s.b, ldb: s.ldb, k: k, cols: cols,
                                    dst, ldc: p, precision: g.precision)
                            for ch in 0..<o { epilogue.apply(dst + ch * p, count: cols, at: dst + ch * p - y) }
                            if let q {
                                let taps = g.kernelHeight * g.kernelWidth
                                product(weight: q.weight, rounded: q16, bias: q.bias, outChannels: q.outChannels,
                                        b: s.b + g.centreTap * cols, ldb: taps * cols, k: g.inChannels, cols: cols,
                                        q.y + s.n * q.outChannels * p + s.rows.lowerBound * ow, ldc: p, precision: g.precision)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dst = weight · b + bias` for one slab: `outChannels` rows of `cols` columns, row stride `ldc`.
    @inline(__always)
    private static func product(weight: UnsafePointer<Float>, rounded: UnsafePointer<UInt16>?, bias: UnsafePointer<Float>?, outChannels o: Int,
                                b: UnsafePointer<Float>, ldb: Int, k: Int, cols: Int, _ dst: UnsafeMutablePointer<Float>, ldc: Int,
                                precision: Precision) {
        if let bias { for ch in 0..<o { (dst + ch * ldc).update(repeating: bias[ch], count: cols) } }
        GEMM.serial(m: o, n: cols, k: k, a: weight, lda: k, b: b, ldb: ldb, beta: bias == nil ? 0 : 1, c: dst, ldc: ldc,
                    precision: precision, roundedA: rounded)
    }

    /// `dx = convᵀ(dy, weight)`, overwriting `dx`; tasks are images, their slabs in order. Each
    /// slab's column gradient is folded into whole input rows (``foldRows``): the rows no
    /// earlier slab reached are written, the ones it shares with the slab before are added to.
    /// With `projection`, its input gradient is added into the centre-tap rows of each slab's
    /// column gradient before the fold (one fold for both convolutions). With `accumulate`,
    /// the gradient is added to `dx` instead of overwriting it.
    static func backwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry,
                              projection: ProjectionInputGradient? = nil, accumulate: Bool = false) {
        let k = g.patchSize, p = g.outPlane, o = g.outChannels, chw = g.inChannels * g.height * g.width
        let oh = g.outHeight, ow = g.outWidth, rows = slabRows(g), slabs = slabs(g)
        let slab = g.isPointwise ? 0 : k * rows * ow, phases = g.strideX * phaseLength(g)
        let q = projection, qo = projection?.outChannels ?? 0
        BFloat16.withRounded(g.precision, transposed: true, m: k, k: o, lda: k, matrix: { _ in weight }) { w16 in
            BFloat16.withRounded(g.precision, transposed: true, m: g.inChannels, k: qo, lda: g.inChannels,
                                 matrix: { _ in q?.weight ?? weight }) { q16 in
                Workspace.shared.withBuffer(max(1, Threading.chunkCount(g.batch) * (slab + phases))) { scratch in
                    Threading.parallelChunks(g.batch) { chunk, range in
                        let dcol = scratch + chunk * (slab + phases), buffer = dcol + slab
                        for n in range {
                            let dxn = dx + n * chw, dyn = dy + n * o * p
                            if g.isPointwise {
                                GEMM.serial(transposeA: true, m: k, n: p, k: o, a: weight, lda: k, b: dyn, ldb: p,
                                            beta: accumulate ? 1 : 0, c: dxn, ldc: p, precision: g.precision, roundedA: w16)
                                continue
                            }
                            var written = 0
                            for s in 0..<slabs {
                                let r0 = s * rows, r1 = min(oh, r0 + rows), cols = (r1 - r0) * ow
                                GEMM.serial(transposeA: true, m: k, n: cols, k: o, a: weight, lda: k, b: dyn + r0 * ow, ldb: p,
                                            c: dcol, ldc: cols, precision: g.precision, roundedA: w16)
                                if let q {
                                    let taps = g.kernelHeight * g.kernelWidth
                                    GEMM.serial(transposeA: true, m: g.inChannels, n: cols, k: q.outChannels, a: q.weight, lda: g.inChannels,
                                                b: q.dy + n * q.outChannels * p + r0 * ow, ldb: p, beta: 1, c: dcol + g.centreTap * cols,
                                                ldc: taps * cols, precision: g.precision, roundedA: q16)
                                }
                                let lo = max(0, r0 * g.strideY - g.padY)
                                let hi = s == slabs - 1 ? g.height : max(written, min(g.height, (r1 - 1) * g.strideY - g.padY + g.kernelHeight))
                                foldRows(dcol, g, slab: r0..<r1, rows: min(lo, written)..<hi, writeFrom: accumulate ? g.height : written, dxn, buffer)
                                written = hi
                            }
                        }
                    }
                }
            }
        }
    }

    /// Floats in one phase of ``foldRows``'s row buffer: every `t = ix + padX` of the row over
    /// `strideX`, every `ox + kx / strideX`, and a vector's overhang.
    private static func phaseLength(_ g: ConvolutionGeometry) -> Int {
        max((g.width + g.padX) / g.strideX + 1, g.outWidth + (g.kernelWidth - 1) / g.strideX + 1) + 16
    }

    /// ``foldRows`` for a 1×1 kernel of x-stride 2 without padding: rows the stride lands on
    /// interleave their column row with zeros, the others are zero.
    private static func foldPointRows(_ col: UnsafePointer<Float>, _ g: ConvolutionGeometry, slab: Range<Int>, rows: Range<Int>,
                                      writeFrom: Int, _ dx: UnsafeMutablePointer<Float>) {
        let w = g.width, ow = g.outWidth, sy = g.strideY, ldc = slab.count * ow
        for c in 0..<g.inChannels {
            for iy in rows {
                let out = dx + (c * g.height + iy) * w, add = iy < writeFrom
                guard iy % sy == 0, slab.contains(iy / sy) else {
                    if !add { out.update(repeating: 0, count: w) }
                    continue
                }
                let src = col + c * ldc + (iy / sy - slab.lowerBound) * ow
                var ix = 0
                while ix + 16 <= w {
                    var v = SIMD16<Float>()
                    v.evenHalf = UnsafeRawPointer(src + ix >> 1).loadUnaligned(as: SIMD8<Float>.self)
                    if add { v += UnsafeRawPointer(out + ix).loadUnaligned(as: SIMD16<Float>.self) }
                    UnsafeMutableRawPointer(out + ix).storeBytes(of: v, as: SIMD16<Float>.self)
                    ix += 16
                }
                while ix < w {
                    let v = ix & 1 == 0 ? src[ix >> 1] : 0
                    if add { out[ix] += v } else { out[ix] = v }
                    ix += 1
                }
            }
        }
    }

    /// The adjoint of im2col for output rows `slab`, one input row at a time: input row `iy`
    /// of every channel gathers all its (kernel row, output row) contributions from `col`
    /// (laid out as ``ConvolutionKernels/im2col(_:_:channel:kernelRow:rows:_:ldc:)`` writes
    /// them) as contiguous vector adds into `strideX` phase rows (kernel column `kx` adds
    /// into phase `kx % strideX` at offset `kx / strideX`), and is then written (rows from
    /// `writeFrom` on) or added (rows before it) in one pass, the phases interleaved — no
    /// zeroing pass over `dx`, no strided read-modify-write.
    private static func foldRows(_ col: UnsafePointer<Float>, _ g: ConvolutionGeometry, slab: Range<Int>, rows: Range<Int>,
                                 writeFrom: Int, _ dx: UnsafeMutablePointer<Float>, _ buffer: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, h = g.height, w = g.width, ow = g.outWidth
        let sy = g.strideY, sx = g.strideX, py = g.padY, px = g.padX, ldc = slab.count * ow
        if kh == 1 && kw == 1 && sx == 2 && py == 0 && px == 0 {
            foldPointRows(col, g, slab: slab, rows: rows, writeFrom: writeFrom, dx)
            return
        }
        let length = phaseLength(g)
        for c in 0..<g.inChannels {
            for iy in rows {
                buffer.update(repeating: 0, count: sx * length)
                let ty = iy + py
                for ky in 0..<kh where ty >= ky && (ty - ky) % sy == 0 && slab.contains((ty - ky) / sy) {
                    let rowBase = col + (c * kh + ky) * kw * ldc + ((ty - ky) / sy - slab.lowerBound) * ow
                    for kx in 0..<kw {
                        let src = rowBase + kx * ldc, dst = buffer + (kx % sx) * length + kx / sx
                        var j = 0
                        while j + 8 <= ow {
                            let v = UnsafeRawPointer(dst + j).loadUnaligned(as: SIMD8<Float>.self)
                                + UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(dst + j).storeBytes(of: v, as: SIMD8<Float>.self)
                            j += 8
                        }
                        while j < ow { dst[j] += src[j]; j += 1 }
                    }
                }
                let out = dx + (c * h + iy) * w, add = iy < writeFrom
                var ix = 0
                while sx == 2 && ix + 16 <= w {
                    let t = ix + px
                    var v = SIMD16<Float>()
                    v.evenHalf = UnsafeRawPointer(buffer + (t & 1) * length + t >> 1).loadUnaligned(as: SIMD8<Float>.self)
                    v.oddHalf = UnsafeRawPointer(buffer + (1 - t & 1) * length + (t + 1) >> 1).loadUnaligned(as: SIMD8<Float>.self)
                    if add { v += UnsafeRawPointer(out + ix).loadUnaligned(as: SIMD16<Float>.self) }
                    UnsafeMutableRawPointer(out + ix).storeBytes(of: v, as: SIMD16<Float>.self)
                    ix += 16
                }
                // The rest (all of it for other strides): phase and offset of t = ix + padX kept
                // by counting, without a division per element.
                var phase = (ix + px) % sx, at = (ix + px) / sx
                while ix < w {
                    let v = buffer[phase * length + at]
                    if add { out[ix] += v } else { out[ix] = v }
                    ix += 1; phase += 1
                    if phase == sx { phase = 0; at += 1 }
                }
            }
        }
    }

    /// `dweight = Σ dy ⊗ patches(x)`, overwriting `dweight`; tasks are (image, slab) pairs, each
    /// chunk of them summed by one core (chunk 0 into `dweight`, the others into scratch), and
    /// the sums added in chunk order.
    /// With `projection`, its weight gradient is summed alongside from the same slabs'
    /// centre-tap rows.
    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                               dweight: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry,
                               projection: ProjectionWeightGradient? = nil) {
        let k = g.patchSize, p = g.outPlane, o = g.outChannels
        let ow = g.outWidth, rows = slabRows(g), slabs = slabs(g), tasks = g.batch * slabs
        let slab = g.isPointwise ? 0 : k * rows * ow, ok = o * k
        let qk = projection.map { $0.outChannels * g.inChannels } ?? 0, taps = g.kernelHeight * g.kernelWidth
        let chunks = Threading.chunkCount(tasks)
        Workspace.shared.withBuffer(max(1, chunks * slab + (chunks - 1) * (ok + qk))) { scratch in
            let sums = scratch + chunks * slab
            Threading.parallelChunks(tasks) { chunk, range in
                let sum = chunk == 0 ? dweight : sums + (chunk - 1) * (ok + qk)
                for t in range {
                    let s = self.slab(t, x, g, rows: rows, slabs: slabs, scratch + chunk * slab), cols = s.rows.count * ow
                    let beta: Float = t == range.lowerBound ? 0 : 1
                    GEMM.serial(transposeB: true, m: o, n: k, k: cols, a: dy + s.n * o * p + s.rows.lowerBound * ow, lda: p,
                                b: s.b, ldb: s.ldb, beta: beta, c: sum, ldc: k, precision: g.precision)
                    if let q = projection {
                        GEMM.serial(transposeB: true, m: q.outChannels, n: g.inChannels, k: cols,
                                    a: q.dy + s.n * q.outChannels * p + s.rows.lowerBound * ow, lda: p,
                                    b: s.b + g.centreTap * cols, ldb: taps * cols, beta: beta,
                                    c: chunk == 0 ? q.dweight : sum + ok, ldc: g.inChannels, precision: g.precision)
                    }
                }
            }
            guard chunks > 1 else { return }
            Threading.parallelRanges(ok + qk, minimumGrain: 1 << 14) { r in
                for c in 1..<chunks {
                    let src = sums + (c - 1) * (ok + qk)
                    for i in r.clamped(to: 0..<ok) { dweight[i] += src[i] }
                    if let q = projection { for i in r.clamped(to: ok..<ok + qk) { q.dweight[i - ok] += src[i] } }
                }
            }
        }
    }
}
