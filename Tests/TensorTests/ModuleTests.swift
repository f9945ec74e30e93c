import Testing
@testable import Tensor

/// A small CNN in the shape of ResNet's stem, used by several tests.
final class SmallCNN: Layer {
    var isTraining = true
    let conv1: Conv2d
    let bn1 = BatchNorm2d(8)
    let relu = ReLU()
    let pool = MaxPool2d(kernelSize: 2)
    let head: Sequential
    init(seed: UInt64) {
        var g = RandomGenerator(seed: seed)
        conv1 = Conv2d(1, 8, kernelSize: 3, padding: 1, bias: false, generator: &g)
        head = Sequential([Conv2d(8, 16, kernelSize: 3, stride: 2, padding: 1, generator: &g), BatchNorm2d(16), ReLU(),
                           AdaptiveAvgPool2d(), Flatten(), Linear(16, 4, generator: &g)])
    }
    func callAsFunction(_ x: Tensor) -> Tensor { head(pool(relu(bn1(conv1(x))))) }
}

@Suite struct ModuleTests {
    @Test func parametersAndBuffersAreFoundWithPyTorchNames() {
        let m = SmallCNN(seed: 1)
        #expect(m.stateDictionary().keys == [
            "conv1.weight",
            "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "head.0.weight", "head.0.bias",
            "head.1.weight", "head.1.bias", "head.1.running_mean", "head.1.running_var", "head.1.num_batches_tracked",
            "head.5.weight", "head.5.bias",
        ])
        #expect(m.parameters.count == 9)
        #expect(m.parameterCount == 8 * 9 + 16 + 16 * 8 * 9 + 16 + 32 + 16 * 4 + 4)
    }

    @Test func trainAndEvalReachEveryModule() {
        let m = SmallCNN(seed: 1)
        m.eval()
        #expect(m.namedModules.allSatisfy { !$0.1.isTraining })
        m.train()
        #expect(m.namedModules.allSatisfy { $0.1.isTraining })
    }

    @Test func evalModeUsesRunningStatistics() {
        let m = SmallCNN(seed: 2)
        let x = randomTensor([4, 1, 8, 8], seed: 3)
        _ = m(x)
        #expect(m.bn1.batchesTracked.value.scalar == 1)
        m.eval()
        let y1 = withNoGrad { m(x) }, y2 = withNoGrad { m(x.reshaped([4, 1, 8, 8])) }
        #expect(y1.scalars == y2.scalars)
        #expect(m.bn1.batchesTracked.value.scalar == 1, "evaluation must not count batches")
        // A single image in eval mode is fine (no batch statistics needed).
        let one = withNoGrad { m(randomTensor([1, 1, 8, 8], seed: 4)) }
        #expect(one.shape == [1, 4])
    }

    @Test func stateDictionaryRoundTripAndErrors() throws {
        let a = SmallCNN(seed: 1), b = SmallCNN(seed: 2)
        _ = a(randomTensor([2, 1, 8, 8], seed: 5))   // move running statistics
        try b.load(a.stateDictionary())
        for (ea, eb) in zip(a.stateDictionary(), b.stateDictionary()) {
            #expect(ea.name == eb.name && ea.tensor.scalars == eb.tensor.scalars)
        }
        var broken = a.stateDictionary()
        broken.set("conv1.weight", .zeros([1]))
        #expect(throws: StateDictionaryError.self) { try b.load(broken) }
        var extra = a.stateDictionary()
        extra.set("fc.weight", .zeros([1]))
        #expect(throws: StateDictionaryError.unexpectedKeys(["fc.weight"])) { try b.load(extra) }
        try b.load(extra, strict: false)
    }

    @Test func gradientsAccumulateUntilCleared() {
        let p = Parameter(Tensor(shape: [3], scalars: [1, 2, 3]))
        (p.value * 2).sum().backward()
        (p.value * 3).sum().backward()
        #expect(p.grad!.scalars == [5, 5, 5])
        p.zeroGrad()
        #expect(p.grad == nil)
        // A value used twice in one graph gets both contributions.
        let x = Tensor(shape: [2], scalars: [1, -2]).requiringGrad()
        (x * x + x).sum().backward()
        #expect(x.grad!.scalars == [3, -3])
    }

    @Test func noGradScopeRecordsNothing() {
        let x = Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
        let y = withNoGrad { x * 3 }
        #expect(!y.requiresGrad)
        #expect((x * 3).requiresGrad)
    }

    @Test func initialisersFollowPyTorchBounds() {
        var g = RandomGenerator(seed: 7)
        let w = Initializer.kaimingUniform([64, 32, 3, 3], generator: &g)
        let bound = Float(2).squareRoot() * (3 / Float(32 * 9)).squareRoot()
        #expect(w.scalars.allSatisfy { abs($0) <= bound })
        #expect(w.scalars.map(abs).max()! > 0.95 * bound)
        let n = Initializer.kaimingNormal([256, 64, 3, 3], mode: .fanOut, generator: &g).scalars
        let std = (n.map { $0 * $0 }.reduce(0, +) / Float(n.count)).squareRoot()
        #expect(abs(std - Float(2).squareRoot() / Float(256 * 9).squareRoot()) < 0.002)
        let linear = Linear(100, 10, generator: &g)
        #expect(linear.weight.value.scalars.allSatisfy { abs($0) <= 0.1 } && linear.bias!.value.scalars.allSatisfy { abs($0) <= 0.1 })
    }
}
