import CBFloat16

/// Winograd F(2×2, 3×3) in bf16 one cache-sized block of tiles at a time
/// (`fs_bf16_winograd2_block`): each task transforms a few tile rows of one image, rounds and
/// packs them, multiplies the 16 components and transforms back, every intermediate in a
/// per-thread scratch that stays in L2. ``WinogradTileDriver`` instead streams each stage of a
/// whole group of images through memory (the transformed tiles in float, then their packed bf16
/// copy, then the products): on layer1's and layer2's narrow channels that traffic, not the
/// products, is where the time goes. The arithmetic is the driver's, operation for operation,
/// so both give the same bits (tested).
enum WinogradBFloat16Blocks {
    /// A block's scratch (the transformed tiles in float and in packed bf16, and the products)
    /// stays within this many bytes — most of a Zen 4 core's 1 MiB L2.
    static let blockBytes = 768 * 1024

    /// Whether the blocks take a convolution: few enough channels that a block of at least one
    /// tile row holds ~2 GEMM panels of tiles (layer1's and layer2's 64 and 128); wider layers
    /// keep the group driver, whose products are large enough to run at the kernel's peak.
    static func applies(inChannels c: Int, outChannels o: Int) -> Bool { c <= 128 && o <= 128 }

    /// Tile rows a block takes: as many as fit ``blockBytes`` (at least one).
    static func tileRowsPerBlock(inChannels c: Int, outChannels o: Int, height h: Int, width w: Int) -> Int {
        let tw = (w + 1) / 2, th = (h + 1) / 2
        var rows = 1
        while rows < th && fs_bf16_winograd2_block_bytes(c, o, w, (rows + 1) * tw) <= blockBytes { rows += 1 }
        return rows
    }

    /// `y = conv(x)` for `batch` images, `u16` the 16 components' transformed weights rounded
    /// to bf16 (each `o × c` row-major), tasks of (image, block of tile rows) over the threads.
    static func convolve(_ x: UnsafePointer<Float>, roundedWeights u16: UnsafePointer<UInt16>, bias: UnsafePointer<Float>?,
                         _ y: UnsafeMutablePointer<Float>, batch: Int, inChannels c: Int, outChannels o: Int,
                         height h: Int, width w: Int, epilogue: OutputEpilogue) {
        let th = (h + 1) / 2
        let rows = tileRowsPerBlock(inChannels: c, outChannels: o, height: h, width: w)
        let blocksPerImage = (th + rows - 1) / rows
        let hardware: Int32 = BFloat16.hardware ? 1 : 0, relu: Int32 = epilogue.relu ? 1 : 0
        Threading.parallelFor(batch * blocksPerImage) { task in
            let n = task / blocksPerImage, first = task % blocksPerImage * rows
            let status = fs_bf16_winograd2_block(hardware, x + n * c * h * w, c, h, w, first, min(th, first + rows), u16, o, bias,
                                                 epilogue.residual.map { $0 + n * o * h * w }, relu, y + n * o * h * w)
            precondition(status == 0, "Winograd bf16: no memory for a block of \(rows) tile rows of \(c) → \(o) channels")
        }
    }

    /// Tile rows a block of the weight gradient takes: as many as fit ``blockBytes``.
    static func weightGradientRowsPerBlock(inChannels c: Int, outChannels o: Int, height h: Int, width w: Int) -> Int {
        let tw = (w + 1) / 2, th = (h + 1) / 2
        var rows = 1
        while rows < th && fs_bf16_winograd2_weight_block_bytes(c, o, w, (rows + 1) * tw) <= blockBytes { rows += 1 }
        return rows
    }

    /// `du` (16 × o × c, the components' gradients before the adjoint weight transform) of
    /// `batch` images: the threads split the 16 components by Bᵀ's four rows (each transforms
    /// only its components' tiles and sums them over every block in order), so the bits do not
    /// depend on the thread count.
    static func weightGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, du: UnsafeMutablePointer<Float>,
                               batch: Int, inChannels c: Int, outChannels o: Int, height h: Int, width w: Int) {
        let rows = weightGradientRowsPerBlock(inChannels: c, outChannels: o, height: h, width: w)
        let parts = min(4, Threading.coreCount), hardware: Int32 = BFloat16.hardware ? 1 : 0
        Threading.parallelFor(parts) { part in
            let status = fs_bf16_winograd2_weight_gradient(hardware, x, dy, batch, c, o, h, w, rows, 4 * part / parts,
                                                           4 * (part + 1) / parts, du)
            precondition(status == 0, "Winograd bf16: no memory for a weight-gradient block of \(rows) tile rows of \(c) → \(o) channels")
        }
    }
}
