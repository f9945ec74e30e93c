import Testing
@testable import Tensor

@Suite struct AveragingAndGroupsTests {
    /// A batch of random images and labels for SmallCNN.
    static func batch(seed: UInt64) -> (Tensor, [Int]) {
        var g = RandomGenerator(seed: seed)
        return (Tensor(shape: [4, 1, 8, 8], scalars: (0..<256).map { _ in g.normal() }), (0..<4).map { _ in g.int(below: 4) })
    }

    static func step(_ model: SmallCNN, _ optimizer: some Optimizer, seed: UInt64) {
        let (x, y) = batch(seed: seed)
        optimizer.zeroGrad()
        softmaxCrossEntropy(logits: model(x), targets: y).backward()
        optimizer.step()
    }

    /// The average after each step against the same recurrence in Double. Each Float update
    /// rounds three times (difference, product, sum), each within u = 2⁻²⁴ of a value no larger
    /// than 2M (M: the largest magnitude of any weight or average), and an earlier error only
    /// shrinks (d < 1): after T updates the error is at most 6·T·u·M.
    @Test func averageFollowsTheRecurrence() {
        let model = SmallCNN(seed: 3)
        let sgd = SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
        let ema = ExponentialMovingAverage(model, decay: 0.9)
        var reference = Dictionary(uniqueKeysWithValues: model.stateDictionary().map { ($0.name, $0.tensor.scalars.map(Double.init)) })
        let steps = 6
        for t in 0..<steps {
            Self.step(model, sgd, seed: UInt64(t))
            ema.update(from: model)
            let d = Double(min(Float(0.9), Float(1 + t) / Float(10 + t)))
            #expect(ema.decay(at: t) == Float(min(0.9, Double(1 + t) / Double(10 + t))))
            let now = model.stateDictionary()
            for entry in now {
                let values = entry.tensor.scalars.map(Double.init)
                if entry.elementType == .int64 { reference[entry.name] = values; continue }
                reference[entry.name] = zip(reference[entry.name] ?? [], values).map { (1 - (1 - d)) * $0 + (1 - d) * $1 }
            }
        }
        #expect(ema.updates == steps)
        let averaged = ema.stateDictionary()
        let m = reference.values.flatMap { $0 }.map(abs).max() ?? 0
        let bound = 6 * Double(steps) * 0x1p-24 * m * 2
        #expect(Set(averaged.keys) == Set(reference.keys))
        for entry in averaged {
            let error = zip(entry.tensor.scalars, reference[entry.name] ?? []).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(error <= bound, "\(entry.name): off by \(error), bound \(bound)")
            if entry.elementType == .int64 { #expect(entry.tensor.scalars == model.stateDictionary()[entry.name]?.scalars) }
        }
        // Not the weights themselves: the average lags them.
        #expect(averaged["conv1.weight"]?.scalars != model.conv1.weight.value.scalars)
    }

    @Test func withoutWarmupTheDecayIsFixed() {
        let ema = ExponentialMovingAverage(SmallCNN(seed: 1), decay: 0.99, warmup: false)
        #expect(ema.decay(at: 0) == 0.99 && ema.decay(at: 1000) == 0.99)
        let warm = ExponentialMovingAverage(SmallCNN(seed: 1), decay: 0.99)
        #expect(warm.decay(at: 0) == 0.1 && warm.decay(at: 10_000) == 0.99)
    }

    /// Inside `withAverage` the module computes with the averages (as a fresh module loaded with
    /// them does); afterwards its own weights, buffers and training go on untouched.
    @Test func averageIsSwappedInAndOut() throws {
        let model = SmallCNN(seed: 4)
        let sgd = SGD(model.parameters, learningRate: 0.05, momentum: 0.9)
        let ema = ExponentialMovingAverage(model, decay: 0.5)
        for t in 0..<3 { Self.step(model, sgd, seed: 10 + UInt64(t)); ema.update(from: model) }
        let own = model.stateDictionary().map { $0.tensor.scalars }
        let twin = SmallCNN(seed: 99)
        try twin.load(ema.stateDictionary())
        twin.eval(); model.eval()
        let (x, _) = Self.batch(seed: 50)
        let inside = ema.withAverage(in: model) { model(x).scalars }
        #expect(inside == twin(x).scalars)
        #expect(model.stateDictionary().map { $0.tensor.scalars } == own)
        #expect(model(x).scalars != inside)
        // Restoring gives the same averages back.
        let copy = ExponentialMovingAverage(twin, decay: 0.5)
        try copy.restore(ema.stateDictionary(), updates: ema.updates)
        #expect(copy.updates == 3 && copy.stateDictionary().map { $0.tensor.scalars } == ema.stateDictionary().map { $0.tensor.scalars })
        #expect(throws: StateDictionaryError.self) { try copy.restore(StateDictionary(), updates: 0) }
    }

    /// Groups compute what one optimiser per group computes, bit for bit: SGD and Adam with the
    /// vectors (biases, batch norm) at their own weight decay and twice the learning rate.
    @Test func groupsAreSeparateOptimizers() {
        for adam in [false, true] {
            let grouped = SmallCNN(seed: 7), split = SmallCNN(seed: 7)
            let groups = ParameterGroup.byDimension(grouped.parameters, vectors: .init(weightDecay: 0, learningRateScale: 2))
            #expect(groups.count == 2 && groups[1].parameters.allSatisfy { $0.shape.count == 1 })
            let matrices = split.parameters.filter { $0.shape.count >= 2 }, vectors = split.parameters.filter { $0.shape.count < 2 }
            let one: any Optimizer, a: any Optimizer, b: any Optimizer
            if adam {
                one = Adam(groups: groups, learningRate: 0.01, weightDecay: 1e-2)
                a = Adam(matrices, learningRate: 0.01, weightDecay: 1e-2); b = Adam(vectors, learningRate: 0.02, weightDecay: 0)
            } else {
                one = SGD(groups: groups, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-2, nesterov: true)
                a = SGD(matrices, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-2, nesterov: true)
                b = SGD(vectors, learningRate: 0.02, momentum: 0.9, weightDecay: 0, nesterov: true)
            }
            for t in 0..<3 {
                let (x, y) = Self.batch(seed: 20 + UInt64(t))
                one.zeroGrad(); a.zeroGrad(); b.zeroGrad()
                softmaxCrossEntropy(logits: grouped(x), targets: y).backward()
                softmaxCrossEntropy(logits: split(x), targets: y).backward()
                one.step(); a.step(); b.step()
            }
            #expect(grouped.stateDictionary().map { $0.tensor.scalars } == split.stateDictionary().map { $0.tensor.scalars }, "adam \(adam)")
            // And the groups matter: one group for all differs.
            let plain = SmallCNN(seed: 7)
            let all: any Optimizer = adam ? Adam(plain.parameters, learningRate: 0.01, weightDecay: 1e-2)
                                           : SGD(plain.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-2, nesterov: true)
            for t in 0..<3 { Self.step(plain, all, seed: 20 + UInt64(t)) }
            #expect(plain.stateDictionary()["bn1.bias"]?.scalars != grouped.stateDictionary()["bn1.bias"]?.scalars)
        }
    }
}
