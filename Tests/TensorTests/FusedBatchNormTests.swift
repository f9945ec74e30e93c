import Testing
@testable import Tensor

/// `batchNormReLU` against the separate ops it fuses: `relu(batchNorm(x) + r)` must give the
/// same bits — outputs, running statistics and every gradient — in both modes, with and
/// without the residual and the affine parameters, on rows that are not a multiple of 8.
@Suite struct FusedBatchNormTests {
    struct Outcome {
        var output: [Float], runningMean: [Float], runningVariance: [Float]
        var gradients: [[Float]]
    }

    /// Runs one of the two forms on fresh leaves and back-propagates a fixed probe.
    static func run(fused: Bool, shape: [Int], training: Bool, residual: Bool, affine: Bool) -> Outcome {
        let c = shape[1]
        let x = randomTensor(shape, seed: 1, scale: 1.5, offset: 0.2).requiringGrad()
        let r = randomTensor(shape, seed: 2).requiringGrad()
        let gamma = randomTensor([c], seed: 3, scale: 0.5, offset: 1).requiringGrad()
        let beta = randomTensor([c], seed: 4, scale: 0.5).requiringGrad()
        var rm: Tensor? = randomTensor([c], seed: 5, scale: 0.1), rv: Tensor? = randomTensor([c], seed: 6, scale: 0.1, offset: 1)
        let w = affine ? gamma : nil, b = affine ? beta : nil
        let y: Tensor
        if fused {
            y = batchNormReLU(x, adding: residual ? r : nil, runningMean: &rm, runningVariance: &rv,
                              weight: w, bias: b, training: training)
        } else {
            let n = batchNorm(x, runningMean: &rm, runningVariance: &rv, weight: w, bias: b, training: training)
            y = (residual ? n + r : n).relu()
        }
        (y * randomTensor(shape, seed: 7)).sum().backward()
        var grads = [x.grad?.scalars ?? []]
        if residual { grads.append(r.grad?.scalars ?? []) }
        if affine { grads += [gamma.grad?.scalars ?? [], beta.grad?.scalars ?? []] }
        return Outcome(output: y.scalars, runningMean: rm?.scalars ?? [], runningVariance: rv?.scalars ?? [],
                       gradients: grads)
    }

    static func bits(_ a: [Float]) -> [UInt32] { a.map(\.bitPattern) }

    @Test(arguments: [[3, 5, 7, 9], [4, 16, 8, 8], [5, 3]])
    func sameBitsAsTheSeparateOps(shape: [Int]) {
        for training in [true, false] {
            for residual in [false, true] {
                for affine in [true, false] {
                    let what = "\(shape) training \(training) residual \(residual) affine \(affine)"
                    let f = Self.run(fused: true, shape: shape, training: training, residual: residual, affine: affine)
                    let u = Self.run(fused: false, shape: shape, training: training, residual: residual, affine: affine)
                    #expect(Self.bits(f.output) == Self.bits(u.output), "output, \(what)")
                    #expect(f.output.contains(0) && f.output.contains { $0 > 0 }, "both sides of the kink, \(what)")
                    #expect(Self.bits(f.runningMean) == Self.bits(u.runningMean), "running mean, \(what)")
                    #expect(Self.bits(f.runningVariance) == Self.bits(u.runningVariance), "running variance, \(what)")
                    #expect(f.gradients.count == u.gradients.count)
                    for (k, (a, b)) in zip(f.gradients, u.gradients).enumerated() {
                        #expect(!a.isEmpty && Self.bits(a) == Self.bits(b), "gradient \(k), \(what)")
                    }
                }
            }
        }
    }

    /// A NaN input stays NaN forward (as ReLU lets it through) and stops the gradient (as
    /// ReLU's backward does), exactly where the separate ops do.
    @Test func nanBehavesAsInTheSeparateOps() {
        var x = randomTensor([2, 2, 3, 3], seed: 8)
        x.withUnsafeMutableBufferPointer { $0[4] = .nan }
        var rm: Tensor? = .zeros([2]), rv: Tensor? = .ones([2])
        let fused = batchNormReLU(x, runningMean: &rm, runningVariance: &rv, weight: nil, bias: nil, training: false)
        let separate = withNoGrad {
            var rm2: Tensor? = .zeros([2]), rv2: Tensor? = .ones([2])
            return batchNorm(x, runningMean: &rm2, runningVariance: &rv2, weight: nil, bias: nil, training: false).relu()
        }
        for (a, b) in zip(fused.scalars, separate.scalars) { #expect(a == b || (a.isNaN && b.isNaN)) }
        #expect(fused.scalars[4].isNaN)
    }
}
