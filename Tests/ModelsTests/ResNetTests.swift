import Foundation
import Testing
import Tensor
@testable import Models

@Suite struct ResNetTests {
    @Test func stateDictionaryMatchesTorchvisionKeysShapesAndOrder() throws {
        let url = try #require(Bundle.module.url(forResource: "resnet18_keys", withExtension: "json", subdirectory: "Reference"))
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        let state = ResNet18(classes: 31).stateDictionary()
        #expect(state.count == 122)
        #expect(state.keys == reference.map { $0["name"] as! String })
        for (entry, ref) in zip(state.entries, reference) {
            #expect(entry.tensor.shape == (ref["shape"] as! [Int]), "\(entry.name)")
            #expect((entry.elementType == .int64) == (ref["dtype"] as! String == "torch.int64"), "\(entry.name)")
        }
    }

    @Test func forwardShapesForBothStems() {
        let big = ResNet18(classes: 31)
        let x = Tensor(shape: [2, 3, 64, 64], repeating: 0.5)
        #expect(withNoGrad { big(x) }.shape == [2, 31])
        let small = ResNet18(classes: 10, inputChannels: 1, stem: .small)
        let y = Tensor(shape: [2, 1, 28, 28], repeating: 0.1)
        #expect(withNoGrad { small.features(y) }.shape == [2, 512])
        #expect(small.maxpool == nil && small.conv1.weight.shape == [64, 1, 3, 3])
    }

    /// An empty batch in evaluation (folded batch norm, the Winograd cache, the pair with the
    /// downsample) gives empty logits and features, as torchvision's does.
    @Test func anEmptyBatchGivesEmptyOutputs() {
        for (model, channels, side) in [(ResNet18(classes: 31), 3, 64), (ResNet18(classes: 10, inputChannels: 1, stem: .compact), 1, 28)] {
            model.eval()
            let x = Tensor.zeros([0, channels, side, side])
            #expect(withNoGrad { model(x) }.shape == [0, model.fc.weight.shape[0]])
            #expect(withNoGrad { model.features(x) }.shape == [0, 512])
        }
    }

    @Test func initialisationSchemes() {
        let camp = ResNet18(classes: 31, initialization: .kaimingUniform)
        #expect(camp.fc.bias!.value.scalars.allSatisfy { $0 == 0 })
        let bound = Float(2).squareRoot() * (3 / Float(512)).squareRoot()
        #expect(camp.fc.weight.value.scalars.allSatisfy { abs($0) <= bound })
        let tv = ResNet18(classes: 31, initialization: .torchvision)
        let w = tv.layer1.namedParameters.first!.1.value.scalars   // layer1.0.conv1.weight, fan_out = 64·9
        let std = (w.map { $0 * $0 }.reduce(0, +) / Float(w.count)).squareRoot()
        #expect(abs(std - Float(2).squareRoot() / Float(576).squareRoot()) < 0.003)
        #expect(ResNet18(classes: 5, seed: 1).stateDictionary()["fc.weight"]!.scalars == ResNet18(classes: 5, seed: 1).stateDictionary()["fc.weight"]!.scalars)
    }

    @Test func oneTrainingStepChangesWeightsAndRunningStatistics() {
        let model = ResNet18(classes: 4, inputChannels: 1, stem: .small)
        let opt = Adam(model.parameters)
        let before = model.fc.weight.value.scalars
        // Two distinct random images: two identical ones give batch norm zero variance on
        // layer4's 1×1 maps, pooled features of exactly 0 and an fc gradient of exactly 0, so
        // the test would pass only where rounding noise told the two images apart.
        var g = RandomGenerator(seed: 3)
        let images = Tensor(shape: [2, 1, 8, 8], scalars: (0..<128).map { _ in g.normal() })
        let loss = softmaxCrossEntropy(logits: model(images), targets: [0, 3])
        loss.backward()
        #expect(model.parameters.allSatisfy { $0.grad != nil })
        opt.step()
        #expect(model.fc.weight.value.scalars != before)
        #expect(model.bn1.batchesTracked.value.scalar == 1)
    }

    /// Inference folds every batch norm into its convolution (no tape, evaluation mode): the
    /// logits and features equal the unfolded forward's (evaluation mode with a tape) up to
    /// rounding, for both stems, and training mode is never folded.
    @Test(arguments: [(ResNet18.Stem.imagenet, 64), (.compact, 28)])
    func inferenceFoldsBatchNormIntoTheConvolutions(stem: ResNet18.Stem, size: Int) {
        let model = ResNet18(classes: 7, stem: stem, seed: 4)
        var g = RandomGenerator(seed: 6)
        let x = Tensor(shape: [3, 3, size, size], scalars: (0..<(3 * 3 * size * size)).map { _ in g.normal() })
        for _ in 0..<2 { _ = withNoGrad { model(x) } }   // running statistics that are not 0 and 1
        #expect(!ResNet18.foldsBatchNorm(model.bn1), "training mode keeps batch statistics")
        model.eval()
        #expect(withNoGrad { ResNet18.foldsBatchNorm(model.bn1) } == ConvolutionPlanner.foldsBatchNormInInference)
        let unfolded = model(x).scalars, folded = withNoGrad { model(x) }.scalars
        let scale = unfolded.map(abs).max()!
        let worst = zip(folded, unfolded).map { abs($0 - $1) }.max()!
        #expect(scale > 0.1 && worst <= 1e-5 * scale, "max |Δ| = \(worst) of \(scale)")
        let features = withNoGrad { model.features(x) }.scalars, reference = model.features(x).scalars
        let fscale = reference.map(abs).max()!
        #expect(zip(features, reference).map { abs($0 - $1) }.max()! <= 1e-5 * fscale)
    }

    /// The block's fused batch norms give torchvision's `BasicBlock.forward` — conv, bn, relu,
    /// conv, bn, + identity, relu, layer by layer — to the bit, forward and backward, with and
    /// without the downsample, and the same running statistics.
    @Test(arguments: [(8, 8, 1), (8, 16, 2)])
    func basicBlockMatchesTheLayerByLayerForward(inPlanes: Int, planes: Int, stride: Int) {
        func make() -> BasicBlock { var g = RandomGenerator(seed: 11); return BasicBlock(inPlanes, planes, stride: stride, generator: &g) }
        let fused = make(), separate = make()
        var g = RandomGenerator(seed: 12)
        let input = Tensor(shape: [3, inPlanes, 9, 9], scalars: (0..<(3 * inPlanes * 81)).map { _ in g.normal() })
        let x1 = input.requiringGrad(), x2 = input.requiringGrad()
        let y1 = fused(x1)
        let b = separate
        let identity = b.downsample.map { $0(x2) } ?? x2
        let y2 = b.relu(b.bn2(b.conv2(b.relu(b.bn1(b.conv1(x2))))) + identity)
        #expect(y1.scalars.map(\.bitPattern) == y2.scalars.map(\.bitPattern))
        let probe = Tensor(shape: y1.shape, scalars: (0..<y1.count).map { _ in g.normal() })
        (y1 * probe).sum().backward()
        (y2 * probe).sum().backward()
        #expect(x1.grad != nil && x1.grad?.scalars.map(\.bitPattern) == x2.grad?.scalars.map(\.bitPattern))
        for ((name, p1), (_, p2)) in zip(fused.namedParameters, separate.namedParameters) {
            #expect(p1.grad != nil && p1.grad?.scalars.map(\.bitPattern) == p2.grad?.scalars.map(\.bitPattern), "\(name)")
        }
        for ((name, b1), (_, b2)) in zip(fused.stateDictionary().entries, separate.stateDictionary().entries).map({ (($0.name, $0.tensor), ($1.name, $1.tensor)) }) {
            #expect(b1.scalars == b2.scalars, "\(name)")
        }
    }

    /// On maps the image-parallel path takes (8×8 outputs here), the block computes its
    /// downsample together with conv1 from one column matrix (`conv2dWithProjection`): the
    /// same forward as the layers one by one, and gradients equal up to rounding (the input
    /// gradient's two parts are summed before the fold instead of after).
    @Test func basicBlockPairsItsDownsampleWithConv1() throws {
        try #require(ConvolutionPlanner.kernels == .current, "the v1 kernels keep the layers apart")
        func make() -> BasicBlock { var g = RandomGenerator(seed: 13); return BasicBlock(8, 16, stride: 2, generator: &g) }
        let paired = make(), separate = make()
        var g = RandomGenerator(seed: 14)
        let input = Tensor(shape: [3, 8, 16, 16], scalars: (0..<(3 * 8 * 256)).map { _ in g.normal() })
        let x1 = input.requiringGrad(), x2 = input.requiringGrad()
        let y1 = paired(x1)
        let b = separate
        let y2 = b.relu(b.bn2(b.conv2(b.relu(b.bn1(b.conv1(x2))))) + b.downsample!(x2))
        func worst(_ a: [Float], _ r: [Float]) -> Float {
            let scale = max(1e-3, r.map(abs).max() ?? 0)
            return zip(a, r).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
        }
        #expect(worst(y1.scalars, y2.scalars) <= 1e-6)
        let probe = Tensor(shape: y1.shape, scalars: (0..<y1.count).map { _ in g.normal() })
        (y1 * probe).sum().backward()
        (y2 * probe).sum().backward()
        #expect(worst(try #require(x1.grad).scalars, try #require(x2.grad).scalars) <= 1e-5)
        for ((name, p1), (_, p2)) in zip(paired.namedParameters, separate.namedParameters) {
            #expect(worst(try #require(p1.grad, "\(name)").scalars, try #require(p2.grad).scalars) <= 1e-5, "\(name)")
        }
    }
}
