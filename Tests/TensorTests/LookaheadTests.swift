import Testing
@testable import Tensor

/// Lookahead around SGD: the base's steps, and every k-th a step of the slow weights.
@Suite struct LookaheadTests {
    typealias Steps = AveragingAndGroupsTests

    static func weights(_ model: SmallCNN) -> [[Float]] { model.parameters.map(\.value.scalars) }

    /// Against plain SGD with the slow weights kept by hand in a loop: after every step the
    /// weights are the same bits (the same Float operations in the same order).
    @Test func followsTheSlowWeightsRecurrence() {
        let model = SmallCNN(seed: 3), reference = SmallCNN(seed: 3)
        let lookahead = Lookahead(SGD(model.parameters, learningRate: 0.1, momentum: 0.9), steps: 3, alpha: 0.5)
        let plain = SGD(reference.parameters, learningRate: 0.1, momentum: 0.9)
        var slow = Self.weights(reference)
        let initial = slow
        for t in 0..<8 {
            Steps.step(model, lookahead, seed: UInt64(t))
            Steps.step(reference, plain, seed: UInt64(t))
            if (t + 1) % 3 == 0 {
                for (i, p) in reference.parameters.enumerated() {
                    var fast = p.value.scalars
                    for j in fast.indices {
                        slow[i][j] += 0.5 * (fast[j] - slow[i][j])
                        fast[j] = slow[i][j]
                    }
                    p.value.withUnsafeMutableBufferPointer { w in for j in w.indices { w[j] = fast[j] } }
                }
            }
            #expect(Self.weights(model) == Self.weights(reference), "step \(t + 1)")
        }
        #expect(lookahead.stepCount == 8)
        #expect(lookahead.slow.map(\.scalars) == slow)
        // The first synchronisation pulled back toward the initial weights, which plain SGD does not.
        #expect(slow != initial)
    }

    /// With α = 1 the slow weights jump to the fast ones: plain SGD's weights, but for the two
    /// roundings of `s + (w − s)`: within u·(|w − s| + |w|)·(1 + u) of them, u = 2⁻²⁴ (s: the
    /// initial weights, which the slow weights hold until the first synchronisation).
    @Test func alphaOneIsTheBaseOptimizer() {
        let model = SmallCNN(seed: 5), reference = SmallCNN(seed: 5)
        let initial = Self.weights(model)
        let lookahead = Lookahead(SGD(model.parameters, learningRate: 0.05, momentum: 0.9, nesterov: true), steps: 3, alpha: 1)
        let plain = SGD(reference.parameters, learningRate: 0.05, momentum: 0.9, nesterov: true)
        for t in 0..<3 {
            Steps.step(model, lookahead, seed: UInt64(t))
            Steps.step(reference, plain, seed: UInt64(t))
            if t < 2 { #expect(Self.weights(model) == Self.weights(reference), "step \(t + 1)") }
        }
        let u = 0x1p-24
        for (i, (w, ref)) in zip(Self.weights(model), Self.weights(reference)).enumerated() {
            for j in w.indices {
                let fast = Double(ref[j]), slow = Double(initial[i][j])
                #expect(abs(Double(w[j]) - fast) <= u * (abs(fast - slow) + abs(fast)) * (1 + u), "parameter \(i)[\(j)]")
            }
        }
        #expect(lookahead.slow.map(\.scalars) == Self.weights(model))
        lookahead.learningRate = 0.01
        #expect(plain.learningRate == 0.05 && lookahead.base.learningRate == 0.01)
    }

    /// Saved after 4 steps and loaded into a fresh optimiser, the run goes on as if never stopped;
    /// a base optimiser's state without Lookahead's is refused.
    @Test func stateRoundTripsAndResumesExactly() throws {
        let names = SmallCNN(seed: 1).namedParameters.map(\.0)
        let whole = SmallCNN(seed: 7)
        let wholeOptimizer = Lookahead(SGD(whole.parameters, learningRate: 0.1, momentum: 0.9), steps: 3, alpha: 0.6)
        for t in 0..<9 { Steps.step(whole, wholeOptimizer, seed: UInt64(t)) }

        let first = SmallCNN(seed: 7)
        let firstOptimizer = Lookahead(SGD(first.parameters, learningRate: 0.1, momentum: 0.9), steps: 3, alpha: 0.6)
        for t in 0..<4 { Steps.step(first, firstOptimizer, seed: UInt64(t)) }
        let saved = try Safetensors.decode(Safetensors.encode(firstOptimizer.state(names: names)))
        #expect(saved.metadata["lookahead_step"] == "4" && saved.metadata["lookahead_k"] == "3")

        let second = SmallCNN(seed: 99)
        try second.load(first.stateDictionary())
        let secondOptimizer = Lookahead(SGD(second.parameters, learningRate: 0.1, momentum: 0.9), steps: 3, alpha: 0.6)
        try secondOptimizer.load(saved, names: names)
        for t in 4..<9 { Steps.step(second, secondOptimizer, seed: UInt64(t)) }
        #expect(Self.weights(second) == Self.weights(whole))

        let plainState = SGD(first.parameters, learningRate: 0.1, momentum: 0.9).state(names: names)
        #expect(throws: OptimizerStateError.self) { try secondOptimizer.load(plainState, names: names) }
    }
}
