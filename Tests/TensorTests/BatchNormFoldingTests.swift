import Testing
@testable import Tensor

/// Batch norm folded into the convolution before it, against PyTorch's
/// `torch.nn.utils.fusion.fuse_conv_bn_eval` (Tools/make_tensor_reference.py: `fold`,
/// `fold_bias`), and the fold's cache.
@Suite struct BatchNormFoldingTests {
    let ref = PyTorchReference.shared

    /// A conv + batch-norm pair loaded with the reference case's tensors, in evaluation mode.
    func pair(_ c: String, bias: Bool) -> (Conv2d, BatchNorm2d) {
        var g = RandomGenerator(seed: 0)
        let conv = Conv2d(3, 5, kernelSize: 3, padding: 1, bias: bias, generator: &g)
        conv.weight.assign(ref.tensor(c, "w"))
        if bias { conv.bias!.assign(ref.tensor(c, "b")) }
        let bn = BatchNorm2d(5)
        bn.weight.assign(ref.tensor(c, "gamma")); bn.bias.assign(ref.tensor(c, "beta"))
        bn.runningMean.value = ref.tensor(c, "running_mean"); bn.runningVariance.value = ref.tensor(c, "running_var")
        bn.isTraining = false
        return (conv, bn)
    }

    @Test(arguments: [("fold_bias", true), ("fold", false)])
    func foldsAsPyTorchDoes(_ c: String, _ bias: Bool) {
        let (conv, bn) = pair(c, bias: bias)
        let f = bn.folded(into: conv)
        // The same float operations in the same order as fuse_conv_bn_weights.
        #expect(f.weight.shape == [5, 3, 3, 3])
        #expect(f.weight.scalars.map(\.bitPattern) == ref.tensor(c, "folded_w").scalars.map(\.bitPattern))
        #expect(f.bias.scalars.map(\.bitPattern) == ref.tensor(c, "folded_b").scalars.map(\.bitPattern))
        // The folded convolution gives the pair's output up to rounding.
        let x = ref.tensor(c, "x")
        let out = withNoGrad { conv2dReLU(x, weight: f.weight, bias: f.bias, padding: (1, 1)) }
        expectClose(out.scalars, ref.tensor(c, "out").scalars, atol: 1e-5, rtol: 1e-4, "\(c): folded output")
        let layers = withNoGrad { bn.withReLU(conv(x)) }
        expectClose(out.scalars, layers.scalars, atol: 1e-5, rtol: 1e-4, "\(c): against the layers")
    }

    @Test func foldIsKeptUntilASourceChanges() {
        let (conv, bn) = pair("fold", bias: false)
        let first = bn.folded(into: conv)
        #expect(bn.folded(into: conv).weight.sharesStorage(with: first.weight), "reused while nothing changed")
        // An in-place update (as a training step's running statistics or an optimiser's) refolds.
        bn.runningMean.value.withUnsafeMutableBufferPointer { $0[2] += 0.5 }
        let second = bn.folded(into: conv)
        #expect(!second.weight.sharesStorage(with: first.weight))
        #expect(second.bias.scalars[2] != first.bias.scalars[2] && second.bias.scalars[0] == first.bias.scalars[0])
        // So does a replaced tensor (loading a state dictionary).
        conv.weight.assign(conv.weight.value * Tensor(2))
        let third = bn.folded(into: conv)
        #expect(third.weight.scalars.map { $0 / 2 } == second.weight.scalars)
        // Another convolution is folded afresh.
        var g = RandomGenerator(seed: 9)
        let other = Conv2d(3, 5, kernelSize: 1, bias: false, generator: &g)
        #expect(bn.folded(into: other).weight.shape == [5, 3, 1, 1])
    }
}
