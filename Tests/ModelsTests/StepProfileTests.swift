import Testing
@testable import Models

/// `fashion bench step`'s profile of a whole training step accounts for ResNet-18's ops.
@Suite struct StepProfileTests {
    @Test func accountsForEveryConvolutionAndTheOptimiser() {
        var profile = StepProfile()
        profile.imageSize = 16; profile.batch = 2; profile.inputChannels = 1; profile.classes = 3
        profile.stem = .compact; profile.adam = false; profile.steps = 1
        let r = profile.run()
        let family = Dictionary(uniqueKeysWithValues: r.families.map { ($0.family, $0) })
        // conv1, 16 in the blocks and 3 downsamples: 17 ops, each downsample one op with its block's conv1.
        #expect(family["conv2d"]?.calls == 17)
        // 20 batch norms: the stem's and each block's first fused with their ReLU (9), each
        // block's second with the residual add and ReLU (8), the downsamples' alone (3).
        #expect(family["batchNorm+relu"]?.calls == 9)
        #expect(family["batchNorm+add+relu"]?.calls == 8)
        #expect(family["batchNorm"]?.calls == 3)
        #expect(family["relu"] == nil && family["add"] == nil)
        #expect(family["optimizer"]?.calls == 1)
        #expect(r.ops.contains { $0.op == "conv2d 3×3/2 64→128 and 1×1/2 →128 at 8×8" })
        let shares = r.families.reduce(0) { $0 + $1.share }
        #expect(shares > 0.5 && shares <= 1.0001)
        #expect(r.ops.map(\.share) == r.ops.map(\.share).sorted(by: >))
    }
}
