import Glibc

/// The shape arithmetic of one 2-d convolution over a batch (NCHW input, OIHW weight).
public struct ConvolutionGeometry: Equatable, Sendable {
    public var batch: Int, inChannels: Int, height: Int, width: Int
    public var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int, padY: Int, padX: Int
    /// The operands' precision in every product of the convolution (as cuDNN's convolution
    /// descriptor carries its math type): ``Precision/bf16`` under ``withAutocast(_:_:)``.
    public var precision: Precision

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernelHeight: Int, kernelWidth: Int, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                precision: Precision = .fp32) {
        self.batch = batch; self.inChannels = inChannels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        (strideY, strideX) = stride; (padY, padX) = padding
        self.precision = precision
    }

    public var outHeight: Int { (height + 2 * padY - kernelHeight) / strideY + 1 }
    public var outWidth: Int { (width + 2 * padX - kernelWidth) / strideX + 1 }
    /// Rows of the column matrix: C·KH·KW.
    public var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// Output pixels per image.
    public var outPlane: Int { outHeight * outWidth }
    /// Multiply-adds of the forward pass (each backward costs the same).
    public var multiplyAdds: Int { batch * outChannels * outPlane * patchSize }
    /// The output columns `lo..<hi` whose input column for kernel column `kx` lies inside the
    /// image (the rest read padding).
    func columnsInside(kernelColumn kx: Int) -> (lo: Int, hi: Int) {
        let lo = min(outWidth, max(0, (padX - kx + strideX - 1) / strideX))
        return (lo, max(lo, min(outWidth, (width + padX - kx + strideX - 1) / strideX)))
    }

    /// A 1×1 stride-1 unpadded convolution reads its input as the column matrix directly.
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && padY == 0 && padX == 0 }

    /// Images per GEMM: enough that small maps (7×7) still make a wide product, few
    /// enough that the column buffer stays within a cache-friendly budget.
    var imagesPerGroup: Int {
        let wanted = (ConvolutionKernels.targetColumns + outPlane - 1) / outPlane
        let byMemory = max(1, ConvolutionKernels.columnBudget / max(1, patchSize * outPlane))
        return max(1, min(batch, wanted, byMemory))
    }
}

/// The convolution kernels' entry points: forward, input gradient and weight gradient, each
/// switching once on the ``ConvolutionPlan`` of its geometry (Winograd F(2×2) or F(4×4),
/// image-parallel im2col, grouped im2col + GEMM + col2im, pointwise, the dense GEMM of tiny
/// maps), and the grouped path
/// itself. Strided and padded convolutions take the same paths. Plain functions over raw pointers.
public enum ConvolutionKernels {
    /// The algorithm choice, now ``ConvolutionPlan/Algorithm``.
    @available(*, deprecated, renamed: "ConvolutionPlan.Algorithm")
    public typealias Algorithm = ConvolutionPlan.Algorithm

    /// The process-wide algorithm, now ``ConvolutionPlanner/algorithm``.
    @available(*, deprecated, renamed: "ConvolutionPlanner.algorithm")
    public static var algorithm: ConvolutionPlan.Algorithm {
        get { ConvolutionPlanner.algorithm }
        set { ConvolutionPlanner.algorithm = newValue }
    }

    /// Column count a GEMM should reach by grouping images.
    static let targetColumns = 3136
    /// Largest column buffer, in floats (64 MiB).
    static let columnBudget = 16 << 20

    // MARK: im2col / col2im

    /// Writes the patches of `images` consecutive images from `x` (each C×H×W) into columns
    /// `[offset, offset + images·OH·OW)` of the `patchSize × ldc` matrix `col`, image after
    /// image. One parallel region over (image, channel, kernel row), so a 3-channel input (conv1)
    /// still splits evenly over the cores and a group of small maps costs one region, not one an image.
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry,
                       _ col: UnsafeMutablePointer<Float>, ldc: Int, offset: Int, images: Int = 1) {
        let kh = g.kernelHeight, perImage = g.inChannels * kh, chw = g.inChannels * g.height * g.width, p = g.outPlane
        Threading.parallelFor(images * perImage, minimumGrain: max(1, 4096 / max(1, g.kernelWidth * p))) { task in
            let i = task / perImage, t = task % perImage
            im2col(x + i * chw, g, channel: t / kh, kernelRow: t % kh, rows: 0..<g.outHeight, col + offset + i * p, ldc: ldc)
        }
    }

    /// The patch rows of channel `c` and kernel row `ky` (all kernel columns) for output rows
    /// `rows` of image `x`: output pixel `(oy, ox)` goes to column `(oy − rows.lowerBound)·OW + ox`
    /// of `col` (row stride `ldc`). Serial.
    @inline(__always)
    static func im2col(_ x: UnsafePointer<Float>, _ g: ConvolutionGeometry, channel c: Int, kernelRow ky: Int,
                       rows: Range<Int>, _ col: UnsafeMutablePointer<Float>, ldc: Int) {
        let kh = g.kernelHeight, kw = g.kernelWidth, h = g.height, w = g.width
        let ow = g.outWidth, sy = g.strideY, sx = g.strideX, py = g.padY, px = g.padX
        let plane = x + c * h * w
        for kx in 0..<kw {
            let row = col + ((c * kh + ky) * kw + kx) * ldc - rows.lowerBound * ow
            let (owLo, owHi) = g.columnsInside(kernelColumn: kx)
            for oy in rows {
                let iy = oy * sy - py + ky
                let dst = row + oy * ow
                if iy < 0 || iy >= h {
                    dst.update(repeating: 0, count: ow)
                    continue
                }
                let src = plane + iy * w - px + kx
                for ox in 0..<owLo { dst[ox] = 0 }
                if sx == 1 {
                    (dst + owLo).update(from: src + owLo, count: owHi - owLo)
                } else if sx == 2 {
                    // Even lanes of 16 loaded floats; the load stays inside the row while
                    // the element after the eighth is still in the image (ox + 8 < owHi).
                    var ox = owLo
                    while ox + 8 < owHi {
                        let v = UnsafeRawPointer(src + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(dst + ox).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                        ox += 8
                    }
                    while ox < owHi { dst[ox] = src[2 * ox]; ox += 1 }
                } else {
                    for ox in owLo..<owHi { dst[ox] = src[ox * sx] }
                }
                for ox in owHi..<ow { dst[ox] = 0 }
            }
        }
    }

    /// Sums columns `[offset, offset + images·OH·OW)` of `col` back into `images` consecutive
    /// images from `dx` (each C×H×W), overwriting them (the adjoint of
    /// ``im2col(_:_:_:ldc:offset:images:)``). One parallel region over (image, channel).
    static func col2im(_ col: UnsafePointer<Float>, ldc: Int, offset: Int, _ g: ConvolutionGeometry,
                       _ dx: UnsafeMutablePointer<Float>, images: Int = 1) {
        let hw = g.height * g.width, c = g.inChannels, p = g.outPlane
        Threading.parallelFor(images * c, minimumGrain: max(1, 4096 / max(1, g.kernelHeight * g.kernelWidth * p))) { task in
            let i = task / c, ch = task % c
            let image = dx + i * c * hw
            (image + ch * hw).update(repeating: 0, count: hw)
            col2im(col + offset + i * p, ldc: ldc, g, channel: ch, rows: 0..<g.outHeight, image)
        }
    }

    /// Adds the patch rows of channel `c` for output rows `rows` (laid out as
    /// ``im2col(_:_:channel:kernelRow:rows:_:ldc:)`` writes them) into image `dx`. Serial.
    @inline(__always)
    static func col2im(_ col: UnsafePointer<Float>, ldc: Int, _ g: ConvolutionGeometry, channel c: Int,
                       rows: Range<Int>, _ dx: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, h = g.height, w = g.width
        let ow = g.outWidth, sy = g.strideY, sx = g.strideX, py = g.padY, px = g.padX
        let plane = dx + c * h * w
        for ky in 0..<kh {
            for kx in 0..<kw {
                let row = col + ((c * kh + ky) * kw + kx) * ldc - rows.lowerBound * ow
                let (owLo, owHi) = g.columnsInside(kernelColumn: kx)
                for oy in rows {
                    let iy = oy * sy - py + ky
                    if iy < 0 || iy >= h { continue }
                    let src = row + oy * ow
                    let dst = plane + iy * w - px + kx
                    if sx == 1 {
                        for ox in owLo..<owHi { dst[ox] += src[ox] }
                    } else {
                        for ox in owLo..<owHi { dst[ox * sx] += src[ox] }
                    }
                }
            }
        }
    }

    /// Copies images `n0..<n0+count` of `y` (N×O×P) into the `O × count·P` matrix `m`, or back.
    static func gather(_ y: UnsafePointer<Float>, first n0: Int, count: Int, _ g: ConvolutionGeometry,
                       into m: UnsafeMutablePointer<Float>) {
        let o = g.outChannels, p = g.outPlane
        Threading.parallelFor(o * count, minimumGrain: max(1, 8192 / p)) { idx in
            let ch = idx / count, i = idx % count
            (m + ch * count * p + i * p).update(from: y + ((n0 + i) * o + ch) * p, count: p)
        }
    }

    // MARK: Forward and backward

    /// `y = conv(x, weight) + bias`: x N×C×H×W, weight O×C×KH×KW, y N×O×OH×OW.
    public static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        forward(x, weight: weight, bias: bias, y, g, epilogue: .none)
    }

    /// `y = relu?(conv(x, weight) + bias + residual?)`, the epilogue applied to each part of
    /// `y` as it is written (in cache).
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue) {
        guard g.batch > 0 else { return }   // an empty batch: nothing to write (PyTorch returns an empty output)
        switch ConvolutionPlan(g).forward {
        case .winogradF2: WinogradKernels.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
        case .winogradF4: WinogradF4Kernels.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
        case .imageParallel: ImageParallelConvolution.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
        case .grouped, .pointwise: groupedForward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
        case .tinyMap: TinyMapConvolution.forward(x, weight: weight, bias: bias, y, g, epilogue: epilogue)
        }
    }

    /// The grouped (and pointwise) forward: im2col of a group of images, one GEMM.
    static func groupedForward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue) {
        let k = g.patchSize, p = g.outPlane, o = g.outChannels, chw = g.inChannels * g.height * g.width
        let group = g.imagesPerGroup
        let colCount = g.isPointwise && group == 1 ? 0 : k * group * p
        let outCount = group == 1 ? 0 : o * group * p
        BFloat16.withRounded(g.precision, transposed: false, m: o, k: k, lda: k, matrix: { _ in weight }) { w16 in
            Workspace.shared.withBuffer(colCount + outCount) { scratch in
                let col = scratch, tmp = scratch + colCount
                var n0 = 0
                while n0 < g.batch {
                    let count = min(group, g.batch - n0)
                    let cols = count * p
                    let b: UnsafePointer<Float>
                    if g.isPointwise && group == 1 {
                        b = x + n0 * chw
                    } else {
                        im2col(x + n0 * chw, g, col, ldc: cols, offset: 0, images: count)
                        b = UnsafePointer(col)
                    }
                    if count == 1 && group == 1 {
                        let dst = y + n0 * o * p
                        if let bias { for ch in 0..<o { (dst + ch * p).update(repeating: bias[ch], count: p) } }
                        GEMM.sgemm(m: o, n: p, k: k, a: weight, lda: k, b: b, ldb: p, beta: bias == nil ? 0 : 1, c: dst, ldc: p,
                                   precision: g.precision, roundedA: w16)
                        epilogue.apply(dst, count: o * p, at: n0 * o * p)
                    } else {
                        GEMM.sgemm(m: o, n: cols, k: k, a: weight, lda: k, b: b, ldb: cols, c: tmp, ldc: cols, precision: g.precision, roundedA: w16)
                        Threading.parallelFor(o * count, minimumGrain: max(1, 8192 / p)) { idx in
                            let ch = idx / count, i = idx % count
                            let src = tmp + ch * cols + i * p, dst = y + ((n0 + i) * o + ch) * p
                            let bv = bias?[ch] ?? 0
                            for j in 0..<p { dst[j] = src[j] + bv }
                            epilogue.apply(dst, count: p, at: ((n0 + i) * o + ch) * p)
                        }
                    }
                    n0 += count
                }
            }
        }
    }

    /// `dx = convᵀ(dy, weight)`: the input gradient, overwriting `dx`.
    public static func backwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        guard g.batch > 0 else { return }
        switch ConvolutionPlan(g).inputGradient {
        case .winogradF2: WinogradKernels.backwardInput(dy, weight: weight, dx, g)
        case .winogradF4: WinogradF4Kernels.backwardInput(dy, weight: weight, dx, g)
        case .imageParallel: ImageParallelConvolution.backwardInput(dy, weight: weight, dx, g)
        case .grouped, .pointwise: groupedBackwardInput(dy, weight: weight, dx, g)
        case .tinyMap: TinyMapConvolution.backwardInput(dy, weight: weight, dx, g)
        }
    }

    /// The grouped (and pointwise) input gradient: one GEMM per group of images, col2im.
    static func groupedBackwardInput(_ dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     _ dx: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        let k = g.patchSize, p = g.outPlane, o = g.outChannels, chw = g.inChannels * g.height * g.width
        let group = g.imagesPerGroup
        let direct = g.isPointwise && group == 1
        let colCount = direct ? 0 : k * group * p
        let gatherCount = group == 1 ? 0 : o * group * p
        BFloat16.withRounded(g.precision, transposed: true, m: k, k: o, lda: k, matrix: { _ in weight }) { w16 in
            Workspace.shared.withBuffer(colCount + gatherCount) { scratch in
                let dcol = scratch, dyg = scratch + colCount
                var n0 = 0
                while n0 < g.batch {
                    let count = min(group, g.batch - n0)
                    let cols = count * p
                    let a: UnsafePointer<Float>
                    if group == 1 { a = dy + n0 * o * p } else { gather(dy, first: n0, count: count, g, into: dyg); a = UnsafePointer(dyg) }
                    if direct {
                        GEMM.sgemm(transposeA: true, m: k, n: p, k: o, a: weight, lda: k, b: a, ldb: p, c: dx + n0 * chw, ldc: p,
                                   precision: g.precision, roundedA: w16)
                    } else {
                        GEMM.sgemm(transposeA: true, m: k, n: cols, k: o, a: weight, lda: k, b: a, ldb: cols, c: dcol, ldc: cols,
                                   precision: g.precision, roundedA: w16)
                        col2im(dcol, ldc: cols, offset: 0, g, dx + n0 * chw, images: count)
                    }
                    n0 += count
                }
            }
        }
    }

    /// `dweight = Σ dy ⊗ patches(x)` (overwriting `dweight`) and, when asked, `dbias = Σ dy`.
    public static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                      dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                      _ g: ConvolutionGeometry) {
        defer {
            if let dbias { ElementwiseKernels.sumOuterInner(dy, outer: g.batch, mid: g.outChannels, inner: g.outPlane, into: dbias) }
        }
        guard g.batch > 0 else {   // an empty batch: a sum of nothing
            dweight.update(repeating: 0, count: g.outChannels * g.patchSize)
            return
        }
        switch ConvolutionPlan(g).weightGradient {
        case .winogradF2: WinogradKernels.backwardWeight(dy, x, dweight: dweight, g)
        case .winogradF4: WinogradF4Kernels.backwardWeight(dy, x, dweight: dweight, g)
        case .imageParallel: ImageParallelConvolution.backwardWeight(dy, x, dweight: dweight, g)
        case .grouped, .pointwise: groupedBackwardWeight(dy, x, dweight: dweight, g)
        case .tinyMap: TinyMapConvolution.backwardWeight(dy, x, dweight: dweight, g)
        }
    }

    /// The grouped (and pointwise) weight gradient: one GEMM per group of images, summed.
    static func groupedBackwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                      dweight: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry) {
        let k = g.patchSize, p = g.outPlane, o = g.outChannels, chw = g.inChannels * g.height * g.width
        let group = g.imagesPerGroup
        let direct = g.isPointwise && group == 1
        let colCount = direct ? 0 : k * group * p
        let gatherCount = group == 1 ? 0 : o * group * p
        Workspace.shared.withBuffer(colCount + gatherCount) { scratch in
            let col = scratch, dyg = scratch + colCount
            var n0 = 0
            while n0 < g.batch {
                let count = min(group, g.batch - n0)
                let cols = count * p
                let a: UnsafePointer<Float>
                if group == 1 { a = dy + n0 * o * p } else { gather(dy, first: n0, count: count, g, into: dyg); a = UnsafePointer(dyg) }
                let b: UnsafePointer<Float>
                if direct { b = x + n0 * chw } else {
                    im2col(x + n0 * chw, g, col, ldc: cols, offset: 0, images: count)
                    b = UnsafePointer(col)
                }
                GEMM.sgemm(transposeB: true, m: o, n: k, k: cols, a: a, lda: cols, b: b, ldb: cols,
                           beta: n0 == 0 ? 0 : 1, c: dweight, ldc: k, precision: g.precision)
                n0 += count
            }
        }
    }
}
