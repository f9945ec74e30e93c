import Glibc

/// Which kernel computes each pass of a convolution — decided here and nowhere else.
///
/// ``ConvolutionKernels``' forward, input-gradient and weight-gradient entry points switch on
/// the plan once; the pair of a convolution and its 1×1 projection
/// (``ConvolutionPlan/sharesColumnsWithProjection``), the inference weight cache and ResNet's fused
/// layers ask it too. Adding an algorithm means a case in ``Path``, a rule in
/// ``ConvolutionPlan/init(_:algorithm:kernels:)`` and one kernel file.
///
/// ```swift
/// let g = ConvolutionGeometry(batch: 16, inChannels: 64, height: 56, width: 56, outChannels: 64,
///                             kernelHeight: 3, kernelWidth: 3, padding: (1, 1))
/// print(ConvolutionPlan(g))   // forward winograd-f4, input gradient winograd-f4, weight gradient winograd-f4
/// ```
public struct ConvolutionPlan: Equatable, Sendable, CustomStringConvertible {
    /// One way of computing a pass.
    public enum Path: String, Sendable, CaseIterable {
        /// Winograd F(2×2, 3×3) (`WinogradKernels`, with the narrow-map transforms).
        case winogradF2 = "winograd-f2"
        /// Winograd F(4×4, 3×3) (`WinogradF4Kernels`).
        case winogradF4 = "winograd-f4"
        /// im2col + GEMM per slab of output rows, one task per core (`ImageParallelConvolution`).
        case imageParallel = "image-parallel"
        /// im2col of a group of images, one parallel GEMM, col2im for the input gradient.
        case grouped = "grouped-im2col"
        /// A 1×1 stride-1 unpadded convolution, one image at a time: the input is the column
        /// matrix, a plain GEMM (the grouped kernel without its im2col).
        case pointwise
        /// A stride-1 convolution on a map so small that every output pixel sees every input
        /// pixel (3×3 on at most 2×2): one dense GEMM per pass (`TinyMapConvolution`).
        case tinyMap = "tiny-map"

        /// The Winograd tile of this path, if it is one.
        var winogradTile: WinogradTile? {
            switch self {
            case .winogradF2: return .f2x2
            case .winogradF4: return .f4x4
            default: return nil
            }
        }
    }

    /// What a caller may choose: which algorithm (``ConvolutionPlanner/algorithm``).
    public enum Algorithm: String, Sendable, CaseIterable {
        /// Winograd for 3×3 stride-1 padding-1 convolutions — F(4×4, 3×3) where it needs fewer
        /// multiplies than F(2×2, 3×3) (counting the tiles' overhang), F(2×2, 3×3) elsewhere — and
        /// im2col + GEMM otherwise.
        case automatic = "auto"
        /// im2col + GEMM always (image-parallel on maps of 7×7 outputs or more, grouped images on smaller ones).
        case im2col
        /// Winograd F(2×2, 3×3) for every 3×3 stride-1 padding-1 convolution, im2col + GEMM otherwise.
        case winograd2x2 = "winograd-2x2"
        /// Winograd F(4×4, 3×3) for every 3×3 stride-1 padding-1 convolution, im2col + GEMM otherwise.
        case winograd4x4 = "winograd-4x4"
    }

    /// Which generation of kernels (``ConvolutionPlanner/kernels``): the fastest of today, or
    /// those of an older version, to reproduce its figures to the bit.
    public enum Kernels: String, Sendable, CaseIterable {
        /// Today's choice.
        case current
        /// The kernels before F(4×4) and the image-parallel path (up to commit 0451ec8, the
        /// figures of Docs/RESULTS.md dated before 2026-11-20): Winograd F(2×2) for every 3×3
        /// stride-1 padding-1 convolution whatever the algorithm, grouped im2col for the rest, a
        /// downsample computed apart from `conv1`, and ResNet's inference with its batch norms
        /// unfolded.
        case v1
    }

    /// The geometry planned for.
    public let geometry: ConvolutionGeometry
    /// The kernel of each pass.
    public let forward: Path, inputGradient: Path, weightGradient: Path

    /// The plan for `g` under `algorithm` and `kernels` (by default the process-wide settings).
    public init(_ g: ConvolutionGeometry, algorithm: Algorithm = ConvolutionPlanner.algorithm,
                kernels: Kernels = ConvolutionPlanner.kernels) {
        geometry = g
        if Self.tinyMap(g, algorithm: algorithm, kernels: kernels) {
            (forward, inputGradient, weightGradient) = (.tinyMap, .tinyMap, .tinyMap)
            return
        }
        if let tile = Self.winograd(g, algorithm: algorithm, kernels: kernels) {
            let path: Path = tile == .f4x4 ? .winogradF4 : .winogradF2
            (forward, inputGradient, weightGradient) = (path, path, path)
            return
        }
        let gemm: Path = g.isPointwise && g.imagesPerGroup == 1 ? .pointwise : .grouped
        guard kernels == .current else {
            (forward, inputGradient, weightGradient) = (gemm, gemm, gemm)
            return
        }
        let slabs = ImageParallelConvolution.computes(g) ? Path.imageParallel : gemm
        forward = slabs; weightGradient = slabs
        inputGradient = ImageParallelConvolution.computesInputGradient(g) ? .imageParallel : gemm
    }

    /// Whether the dense GEMM of tiny maps takes `g`: in bf16 (automatic algorithm, current
    /// kernels) wherever it computes it. On 2×2 maps it does Winograd F(2×2)'s multiplies in one
    /// GEMM of K = 4·C without transforms — ResNet-18's layer4 at 28 px, batch 128, on an AMD EPYC
    /// Zen 4: Docs/PERFORMANCE.md. FP32 keeps its Winograd, whose bits the documented FP32
    /// figures are.
    static func tinyMap(_ g: ConvolutionGeometry, algorithm: Algorithm, kernels: Kernels) -> Bool {
        g.precision == .bf16 && algorithm == .automatic && kernels == .current && TinyMapConvolution.computes(g)
    }

    /// The Winograd tile, or nil for im2col + GEMM. In bf16 never F(4×4): its error with
    /// bf16-rounded transforms is 7–9× the direct convolution's (F(2×2)'s 1.5×;
    /// `Tools/bf16_winograd_error.py`, Docs/PERFORMANCE.md), so F(2×2) stands in for it.
    static func winograd(_ g: ConvolutionGeometry, algorithm: Algorithm, kernels: Kernels) -> WinogradTile? {
        guard WinogradKernels.computes(g) else { return nil }
        if kernels == .v1 { return .f2x2 }
        let tile: WinogradTile?
        switch algorithm {
        case .im2col: tile = nil
        case .winograd2x2: tile = .f2x2
        case .winograd4x4: tile = .f4x4
        case .automatic: tile = WinogradF4Kernels.wins(g) ? .f4x4 : .f2x2
        }
        return g.precision == .bf16 && tile == .f4x4 ? .f2x2 : tile
    }

    /// The Winograd tile of the forward pass, if any: inference without a gradient tape reads
    /// its weights' transform from `WinogradWeightCache` instead of transforming them again.
    var winogradTile: WinogradTile? { forward.winogradTile }

    /// Whether this convolution and a 1×1 projection of the same input at its stride share one
    /// column matrix (else the two run apart, each by its own plan): on the image-parallel
    /// path, and only while the main convolution's weights (and its weight-gradient sum) fit a
    /// slab's cache budget. With larger weights each slab's GEMMs are bound by reading the
    /// weights, and interleaving the two convolutions evicts the projection's weights and sums
    /// at every image — measured slower on ResNet-18's layer3 and layer4 at 224 px (14×14 and
    /// 7×7 maps), faster on layer2 (28×28).
    public var sharesColumnsWithProjection: Bool {
        geometry.hasCentreTapProjection && forward == .imageParallel
            && geometry.outChannels * geometry.patchSize <= ImageParallelConvolution.slabFloats
    }

    /// Whether the pair's input gradient is one fold of the shared column gradient (else each convolution's own).
    public var sharesInputGradientWithProjection: Bool { sharesColumnsWithProjection && inputGradient == .imageParallel }

    /// `forward winograd-f4, input gradient …, weight gradient …` (one word when all agree),
    /// followed by `, bf16` in that precision.
    public var description: String {
        let paths = forward == inputGradient && forward == weightGradient ? forward.rawValue
            : "forward \(forward.rawValue), input gradient \(inputGradient.rawValue), weight gradient \(weightGradient.rawValue)"
        return geometry.precision == .fp32 ? paths : paths + ", \(geometry.precision)"
    }
}

/// The Winograd tile a convolution is computed with.
enum WinogradTile: Sendable { case f2x2, f4x4 }

/// The process-wide settings the plans follow, and the layer-level decisions that go with them.
public enum ConvolutionPlanner {
    /// The algorithm (`FASHION_CONV_ALGORITHM` at start, `--conv-algorithm` in the CLI).
    nonisolated(unsafe) public static var algorithm: ConvolutionPlan.Algorithm = environment("FASHION_CONV_ALGORITHM", default: .automatic)
    /// The kernels' generation (`FASHION_KERNELS` at start, `--kernels` in the CLI).
    nonisolated(unsafe) public static var kernels: ConvolutionPlan.Kernels = environment("FASHION_KERNELS", default: .current)

    /// Whether a layer should compute a convolution of `kernel` size, `stride` and `padding`
    /// together with a 1×1 projection of its input at the same stride
    /// (`conv2dWithProjection`, as ResNet's `conv1` and downsample): an odd kernel padded by
    /// half of it, a stride other than 1 (a 3×3 stride-1 convolution runs as Winograd, which
    /// has no column matrix to share), and the current kernels. Whether the columns are then
    /// really shared depends on the batch's geometry (``ConvolutionPlan/sharesColumnsWithProjection``).
    public static func pairsProjection(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                                       kernels: ConvolutionPlan.Kernels = kernels) -> Bool {
        kernels == .current && kernel.0 % 2 == 1 && kernel.1 % 2 == 1 && padding == (kernel.0 / 2, kernel.1 / 2) && stride != (1, 1)
    }

    /// Whether inference (evaluation mode, no gradient tape) may fold batch norm into the
    /// convolution before it and apply ReLU and residual as the output is written: with the
    /// current kernels (``ConvolutionPlan/Kernels/v1`` keeps them apart).
    public static var foldsBatchNormInInference: Bool { foldsBatchNormInInference(kernels: kernels) }

    /// ``foldsBatchNormInInference`` under `kernels`.
    public static func foldsBatchNormInInference(kernels: ConvolutionPlan.Kernels) -> Bool { kernels == .current }

    /// `variable`'s value when it names a case, else `fallback` (an unknown value is reported on standard error).
    static func environment<T: RawRepresentable & CaseIterable>(_ variable: String, default fallback: T) -> T where T.RawValue == String {
        guard let text = getenv(variable).map({ String(cString: $0) }), !text.isEmpty else { return fallback }
        if let chosen = T(rawValue: text) ?? T.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) { return chosen }
        let known = T.allCases.map(\.rawValue).joined(separator: ", ")
        fputs("warning: \(variable)=\(text) is not one of \(known); using \(fallback.rawValue)\n", stderr)
        return fallback
    }
}
