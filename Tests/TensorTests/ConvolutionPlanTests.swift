import Testing
@testable import Tensor

/// The planner decides each pass's kernel from the geometry and the two settings, in one place.
@Suite struct ConvolutionPlanTests {
    static func geometry(batch: Int = 16, _ c: Int, _ o: Int, k: Int, stride: Int = 1, size: Int) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: batch, inChannels: c, height: size, width: size, outChannels: o, kernelHeight: k, kernelWidth: k,
                            stride: (stride, stride), padding: (k / 2, k / 2))
    }

    @Test func currentKernelsFollowTheRules() {
        let layer1 = Self.geometry(64, 64, k: 3, size: 56), conv1 = Self.geometry(3, 64, k: 7, stride: 2, size: 224)
        // 3×3 stride 1: Winograd, F(4×4) where it takes fewer multiplies (56×56: 7,056 against 12,544).
        #expect(ConvolutionPlan(layer1, algorithm: .automatic, kernels: .current).forward == .winogradF4)
        #expect(ConvolutionPlan(layer1, algorithm: .winograd2x2, kernels: .current).description == "winograd-f2")
        #expect(ConvolutionPlan(layer1, algorithm: .im2col, kernels: .current).forward == .imageParallel)
        // Large maps: one task per core over slabs; 7×7/2 conv1 is never Winograd.
        let stem = ConvolutionPlan(conv1, algorithm: .automatic, kernels: .current)
        #expect(stem.forward == .imageParallel && stem.inputGradient == .imageParallel && stem.weightGradient == .imageParallel)
        // Maps under 7×7 outputs: grouped images; a 1×1 stride-1 of one image per group reads its input directly.
        let small = Self.geometry(256, 512, k: 3, stride: 2, size: 7)   // 4×4 outputs
        #expect(ConvolutionPlan(small, algorithm: .automatic, kernels: .current).description == "grouped-im2col")
        let pointwise = Self.geometry(batch: 1, 64, 64, k: 1, size: 4)   // 16 outputs: under the slabs' 49
        #expect(ConvolutionPlan(pointwise, algorithm: .automatic, kernels: .current).description == "pointwise")
        #expect(ConvolutionPlan(Self.geometry(batch: 8, 64, 64, k: 1, size: 4), algorithm: .automatic, kernels: .current).description == "grouped-im2col")
        // One image, many slabs: the forward is image-parallel, the input gradient (whole images per task) is not.
        let one = Self.geometry(batch: 1, 64, 64, k: 3, stride: 2, size: 112)
        let plan = ConvolutionPlan(one, algorithm: .automatic, kernels: .current)
        #expect(plan.forward == .imageParallel && plan.inputGradient != .imageParallel)
        #expect(plan.description.hasPrefix("forward image-parallel, input gradient "))
    }

    /// `v1` reproduces the kernels of before whatever the algorithm: F(2×2) for every 3×3
    /// stride-1, grouped im2col elsewhere, no shared columns, no folded batch norm.
    @Test func v1KernelsAreTheOldOnes() {
        for algorithm in ConvolutionPlan.Algorithm.allCases {
            #expect(ConvolutionPlan(Self.geometry(64, 64, k: 3, size: 56), algorithm: algorithm, kernels: .v1).description == "winograd-f2")
            let conv1 = ConvolutionPlan(Self.geometry(3, 64, k: 7, stride: 2, size: 224), algorithm: algorithm, kernels: .v1)
            #expect(conv1.description == "grouped-im2col" && !conv1.sharesColumnsWithProjection)
        }
        // (The process-wide settings are not touched: tests run in parallel.)
        #expect(!ConvolutionPlanner.foldsBatchNormInInference(kernels: .v1)
                && !ConvolutionPlanner.pairsProjection(kernel: (3, 3), stride: (2, 2), padding: (1, 1), kernels: .v1))
        #expect(ConvolutionPlanner.foldsBatchNormInInference(kernels: .current)
                && ConvolutionPlanner.pairsProjection(kernel: (3, 3), stride: (2, 2), padding: (1, 1), kernels: .current))
        #expect(!ConvolutionPlanner.pairsProjection(kernel: (3, 3), stride: (1, 1), padding: (1, 1), kernels: .current), "stride 1 runs as Winograd")
        #expect(!ConvolutionPlanner.pairsProjection(kernel: (4, 4), stride: (2, 2), padding: (2, 2), kernels: .current), "no centre tap")
    }

    /// Every path a plan can name gives the same 3×3 convolution (up to rounding) as the naive loop.
    @Test(arguments: [ConvolutionPlan.Path.winogradF2, .winogradF4, .imageParallel, .grouped])
    func everyPathComputesTheSameConvolution(_ path: ConvolutionPlan.Path) {
        let x = randomTensor([2, 4, 9, 9], seed: 1), w = randomTensor([5, 4, 3, 3], seed: 2, scale: 0.2)
        let g = Self.geometry(batch: 2, 4, 5, k: 3, size: 9)
        let y = Tensor(uninitializedShape: [2, 5, 9, 9])
        switch path {
        case .winogradF2: WinogradKernels.forward(x.pointer, weight: w.pointer, bias: nil, y.pointer, g)
        case .winogradF4: WinogradF4Kernels.forward(x.pointer, weight: w.pointer, bias: nil, y.pointer, g)
        case .imageParallel: ImageParallelConvolution.forward(x.pointer, weight: w.pointer, bias: nil, y.pointer, g, epilogue: .none)
        case .grouped, .pointwise: ConvolutionKernels.groupedForward(x.pointer, weight: w.pointer, bias: nil, y.pointer, g, epilogue: .none)
        case .tinyMap: Issue.record("a 9×9 map is not tiny")
        }
        var naive = [Float](repeating: 0, count: 2 * 5 * 81)
        for n in 0..<2 { for o in 0..<5 { for i in 0..<9 { for j in 0..<9 {
            var s: Double = 0
            for c in 0..<4 { for ky in 0..<3 { for kx in 0..<3 {
                let yy = i + ky - 1, xx = j + kx - 1
                guard (0..<9).contains(yy), (0..<9).contains(xx) else { continue }
                s += Double(x.scalars[((n * 4 + c) * 9 + yy) * 9 + xx]) * Double(w.scalars[((o * 4 + c) * 3 + ky) * 3 + kx])
            }}}
            naive[((n * 5 + o) * 9 + i) * 9 + j] = Float(s)
        }}}}
        expectClose(y.scalars, naive, path.rawValue)
    }
}
