/// The tiles of one Winograd tile size over a convolution's output.
protocol WinogradTiling {
    init(_ g: ConvolutionGeometry)
    /// Tiles of one image.
    var perImage: Int { get }
}

/// What one Winograd tile size, F(2×2, 3×3) or F(4×4, 3×3), gives the shared driver: its
/// transforms. The driver (``WinogradTileDriver``) runs the groups of images, the component
/// GEMMs and the weight-gradient sum for either; each size's file holds only its transforms.
protocol WinogradTransforms {
    associatedtype Tiles: WinogradTiling
    /// Components of a transformed tile: 16 for F(2×2), 36 for F(4×4).
    static var components: Int { get }
    static func imagesPerGroup(_ g: ConvolutionGeometry, inChannels c: Int, outChannels o: Int) -> Int
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int, _ u: UnsafeMutablePointer<Float>)
    static func transformWeightGradient(_ du: UnsafePointer<Float>, outChannels o: Int, inChannels c: Int, _ dw: UnsafeMutablePointer<Float>)
    static func transformInput(_ x: UnsafePointer<Float>, count: Int, channels c: Int, height h: Int, width w: Int,
                               tiles: Tiles, _ v: UnsafeMutablePointer<Float>)
    static func transformOutput(_ m: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                tiles: Tiles, bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, epilogue: OutputEpilogue)
    static func transformOutputGradient(_ dy: UnsafePointer<Float>, count: Int, channels o: Int, outHeight oh: Int, outWidth ow: Int,
                                        tiles: Tiles, _ dm: UnsafeMutablePointer<Float>)
}

/// The tile loop both Winograd sizes share: transform a group of images' tiles, one GEMM per
/// component (all in one parallel region), transform back — and for the weight gradient, the
/// component products summed over the groups, then the adjoint weight transform.
enum WinogradTileDriver<T: WinogradTransforms> {
    /// `y = conv(x)` with the weights' transform `u` (components × O × C), or — with
    /// `component` mapping an output component to the one of `u` it reads, transposed — the
    /// input gradient of F(2×2), whose flipped kernels' transform is a permutation of the forward's.
    /// F(2×2) in bf16 on narrow channels runs ``WinogradBFloat16Blocks`` (the same bits) unless
    /// `blocks` is false.
    @inline(__always)
    static func convolve(_ x: UnsafePointer<Float>, transformedWeights u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         _ y: UnsafeMutablePointer<Float>, batch: Int, inChannels c: Int, outChannels o: Int,
                         height h: Int, width w: Int, _ g: ConvolutionGeometry, epilogue: OutputEpilogue,
                         transposedComponent component: ((Int) -> Int)? = nil, blocks: Bool = true,
                         roundedWeights cached: UnsafePointer<UInt16>? = nil) {
        let k = T.components
        let tiles = T.Tiles(g)
        let group = T.imagesPerGroup(g, inChannels: c, outChannels: o)
        let pMax = group * tiles.perImage
        // In bf16 each component's weights are rounded once for all the groups (transposed for the input gradient),
        // or were rounded once for many batches (`cached`, the forward's layout).
        @inline(__always) func withWeights(_ body: (UnsafePointer<UInt16>?) -> Void) {
            if let cached, component == nil, g.precision == .bf16 { body(cached); return }
            BFloat16.withRounded(g.precision, count: k, transposed: component != nil, m: o, k: c, lda: component == nil ? c : o,
                                 matrix: { xi in u + (component?(xi) ?? xi) * o * c }, body)
        }
        withWeights { u16 in
            // F(2×2) in bf16 on narrow channels: a cache-sized block of tiles at a time, the same bits.
            if blocks, k == 16, let u16, WinogradBFloat16Blocks.applies(inChannels: c, outChannels: o) {
                WinogradBFloat16Blocks.convolve(x, roundedWeights: u16, bias: bias, y, batch: batch, inChannels: c, outChannels: o,
                                                height: h, width: w, epilogue: epilogue)
                return
            }
            Workspace.shared.withBuffer(k * (c + o) * pMax) { scratch in
                let v = scratch, m = scratch + k * c * pMax
                var n0 = 0
                while n0 < batch {
                    let count = min(group, batch - n0)
                    let p = count * tiles.perImage
                    T.transformInput(x + n0 * c * h * w, count: count, channels: c, height: h, width: w, tiles: tiles, v)
                    GEMM.sgemm(k) { xi in
                        if let component {
                            return GEMM.Product(transposeA: true, m: o, n: p, k: c, a: u + component(xi) * o * c, lda: o,
                                                b: v + xi * c * p, ldb: p, c: m + xi * o * p, ldc: p, precision: g.precision,
                                                roundedA: u16.map { $0 + xi * o * c })
                        }
                        return GEMM.Product(m: o, n: p, k: c, a: u + xi * o * c, lda: c, b: v + xi * c * p, ldb: p, c: m + xi * o * p, ldc: p,
                                            precision: g.precision, roundedA: u16.map { $0 + xi * o * c })
                    }
                    T.transformOutput(m, count: count, channels: o, outHeight: h, outWidth: w, tiles: tiles, bias: bias, y + n0 * o * h * w,
                                      epilogue: epilogue.advanced(by: n0 * o * h * w))
                    n0 += count
                }
            }
        }
    }

    /// The forward pass: transform the weights, convolve.
    static func forward(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue) {
        let o = g.outChannels, c = g.inChannels
        Workspace.shared.withBuffer(T.components * o * c) { u in
            T.transformWeights(weight, outChannels: o, inChannels: c, u)
            convolve(x, transformedWeights: u, bias: bias, y, batch: g.batch, inChannels: c, outChannels: o,
                     height: g.height, width: g.width, g, epilogue: epilogue)
        }
    }

    /// The forward with weights already transformed (``WinogradTransforms/transformWeights(_:outChannels:inChannels:_:)``),
    /// e.g. cached between inference batches.
    /// In bf16, `roundedWeights` (`u` rounded, the same layout) saves rounding it again.
    static func forward(_ x: UnsafePointer<Float>, transformedWeights u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        _ y: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, epilogue: OutputEpilogue,
                        roundedWeights: UnsafePointer<UInt16>? = nil) {
        convolve(x, transformedWeights: u, bias: bias, y, batch: g.batch, inChannels: g.inChannels, outChannels: g.outChannels,
                 height: g.height, width: g.width, g, epilogue: epilogue, roundedWeights: roundedWeights)
    }

    /// `dweight`: per group, the transformed input and output gradient, one GEMM per component
    /// summed over the groups; then the adjoint of the weight transform.
    /// F(2×2) in bf16 on narrow channels sums ``WinogradBFloat16Blocks`` (unless `blocks` is false).
    static func backwardWeight(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                               dweight: UnsafeMutablePointer<Float>, _ g: ConvolutionGeometry, blocks: Bool = true) {
        let k = T.components
        let o = g.outChannels, c = g.inChannels, h = g.height, w = g.width
        if blocks, k == 16, g.precision == .bf16, WinogradBFloat16Blocks.applies(inChannels: c, outChannels: o) {
            Workspace.shared.withBuffer(k * o * c) { du in
                WinogradBFloat16Blocks.weightGradient(dy, x, du: du, batch: g.batch, inChannels: c, outChannels: o, height: h, width: w)
                T.transformWeightGradient(du, outChannels: o, inChannels: c, dweight)
            }
            return
        }
        let tiles = T.Tiles(g)
        let group = T.imagesPerGroup(g, inChannels: c, outChannels: o)
        let pMax = group * tiles.perImage
        Workspace.shared.withBuffer(k * (c + o) * pMax + k * o * c) { scratch in
            let v = scratch, dm = scratch + k * c * pMax, du = dm + k * o * pMax
            var n0 = 0
            while n0 < g.batch {
                let count = min(group, g.batch - n0)
                let p = count * tiles.perImage
                T.transformInput(x + n0 * c * h * w, count: count, channels: c, height: h, width: w, tiles: tiles, v)
                T.transformOutputGradient(dy + n0 * o * h * w, count: count, channels: o, outHeight: h, outWidth: w, tiles: tiles, dm)
                let beta: Float = n0 == 0 ? 0 : 1
                GEMM.sgemm(k) { xi in
                    GEMM.Product(transposeB: true, m: o, n: c, k: p, a: dm + xi * o * p, lda: p, b: v + xi * c * p, ldb: p,
                                 beta: beta, c: du + xi * o * c, ldc: c, precision: g.precision)
                }
                n0 += count
            }
            T.transformWeightGradient(du, outChannels: o, inChannels: c, dweight)
        }
    }
}
