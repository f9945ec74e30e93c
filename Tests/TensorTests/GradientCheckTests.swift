import Testing
@testable import Tensor

/// Finite-difference checks of every differentiable op: odd shapes, stride 2, padding,
/// 1×1, 3×3 and 7×7 kernels, batches > 1, non-square inputs.
@Suite struct GradientCheckTests {
    @Test func arithmeticWithBroadcasts() {
        let a = randomTensor([2, 3, 4], seed: 1), b = randomTensor([2, 3, 4], seed: 2, offset: 3)
        checkGradients([a, b], "add") { $0[0] + $0[1] }
        checkGradients([a, b], "sub") { $0[0] - $0[1] }
        checkGradients([a, b], "mul") { $0[0] * $0[1] }
        checkGradients([a, b], "div") { $0[0] / $0[1] }
        let channel = randomTensor([3], seed: 3, offset: 2)
        let x = randomTensor([2, 3, 2, 2], seed: 4)
        checkGradients([x, channel.reshaped([1, 3, 1, 1])], "per-channel mul") { $0[0] * $0[1] }
        checkGradients([randomTensor([4, 3], seed: 5), channel], "row-vector add") { $0[0] + $0[1] }
        checkGradients([randomTensor([4, 3], seed: 6), randomTensor([4, 1], seed: 7, offset: 3)], "column div") { $0[0] / $0[1] }
        checkGradients([a, randomTensor([1], seed: 8, offset: 2)], "tensor-scalar div") { $0[0] / $0[1] }
        checkGradients([a], "scalar ops") { (2 - $0[0] * 3 + 1) / 4 }
    }

    @Test func pointwise() {
        let x = randomTensor([3, 5], seed: 10)
        checkGradients([x], "sigmoid") { $0[0].sigmoid() }
        checkGradients([x], "tanh") { $0[0].tanh() }
        checkGradients([x], "exp") { $0[0].exp() }
        checkGradients([randomTensor([3, 5], seed: 11, scale: 0.3, offset: 2)], "log") { $0[0].log() }
        // Away from the kink at 0.
        let r = Tensor(shape: [7], scalars: [-1.3, 0.4, 2.0, -0.2, 0.7, -2.5, 1.1])
        checkGradients([r], "relu") { $0[0].relu() }
    }

    @Test func reductionsAndShapes() {
        let x = randomTensor([2, 3, 4], seed: 20)
        checkGradients([x], "sum") { $0[0].sum() }
        checkGradients([x], "mean") { $0[0].mean() }
        checkGradients([x], "sum axis 1") { $0[0].sum(alongAxes: [1]) }
        checkGradients([x], "mean axes 0,2 keepdims") { $0[0].mean(alongAxes: [0, -1], keepingDims: true) }
        checkGradients([x], "reshape") { $0[0].reshaped([4, -1]) * $0[0].reshaped([4, 6]) }
        checkGradients([x], "flatten") { $0[0].flattened() }
        let y = randomTensor([2, 2, 4], seed: 21)
        checkGradients([x, y], "concat axis 1") { Tensor.concat([$0[0], $0[1]], axis: 1) }
        checkGradients([x, randomTensor([2, 3, 1], seed: 22)], "concat last axis") { Tensor.concat([$0[0], $0[1]], axis: -1) }
    }

    @Test func matmulAndLinear() {
        let a = randomTensor([3, 5], seed: 30), b = randomTensor([5, 2], seed: 31)
        checkGradients([a, b], "matmul") { $0[0].matmul($0[1]) }
        let x = randomTensor([4, 5], seed: 32), w = randomTensor([3, 5], seed: 33), bias = randomTensor([3], seed: 34)
        checkGradients([x, w, bias], "linear") { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([x, w], "linear without bias") { linear($0[0], weight: $0[1], bias: nil) }
    }

    @Test(arguments: [
        // (N, C, H, W, O, K, stride, padding, bias)
        (2, 3, 7, 5, 4, 3, 1, 1, true),
        (2, 3, 9, 8, 2, 3, 2, 1, false),
        (1, 2, 5, 6, 3, 1, 1, 0, true),
        (3, 4, 6, 7, 2, 1, 2, 0, false),
        (1, 2, 11, 9, 2, 7, 2, 3, false),
        (2, 1, 4, 4, 2, 3, 1, 0, true),
    ])
    func convolution(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ o: Int, _ k: Int, _ s: Int, _ p: Int, _ bias: Bool) {
        let x = randomTensor([n, c, h, w], seed: 40), wt = randomTensor([o, c, k, k], seed: 41, scale: 0.5)
        let b = randomTensor([o], seed: 42)
        if bias {
            checkGradients([x, wt, b], "conv2d \(k)×\(k)/\(s) pad \(p)") {
                conv2d($0[0], weight: $0[1], bias: $0[2], stride: (s, s), padding: (p, p))
            }
        } else {
            checkGradients([x, wt], "conv2d \(k)×\(k)/\(s) pad \(p)") {
                conv2d($0[0], weight: $0[1], stride: (s, s), padding: (p, p))
            }
        }
    }

    @Test func pooling() {
        // Distinct values so the maxima are not tied within ±eps.
        var g = RandomGenerator(seed: 50)
        let perm = g.permutation(2 * 3 * 7 * 6)
        let x = Tensor(shape: [2, 3, 7, 6], scalars: perm.map { Float($0) * 0.1 })
        checkGradients([x], "maxPool 3/2 pad 1") { $0[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
        checkGradients([x], "maxPool 2") { $0[0].maxPool2d(kernel: (2, 2)) }
        checkGradients([x], "avgPool 3/2 pad 1") { $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
        checkGradients([x], "adaptive avg pool") { $0[0].adaptiveAvgPool2dToOne() }
    }

    @Test func batchNormBothModes() {
        let x = randomTensor([3, 2, 4, 5], seed: 60, scale: 2, offset: 1)
        let gamma = randomTensor([2], seed: 61, offset: 1), beta = randomTensor([2], seed: 62)
        checkGradients([x, gamma, beta], "batchNorm2d train", atol: 2e-2) {
            var rm: Tensor? = .zeros([2]), rv: Tensor? = .ones([2])
            return batchNorm($0[0], runningMean: &rm, runningVariance: &rv, weight: $0[1], bias: $0[2], training: true)
        }
        checkGradients([x, gamma, beta], "batchNorm2d eval") {
            var rm: Tensor? = Tensor(shape: [2], scalars: [0.3, -0.2]), rv: Tensor? = Tensor(shape: [2], scalars: [1.5, 0.7])
            return batchNorm($0[0], runningMean: &rm, runningVariance: &rv, weight: $0[1], bias: $0[2], training: false)
        }
        checkGradients([randomTensor([5, 3], seed: 63)], "batchNorm1d train", atol: 2e-2) {
            var rm: Tensor? = nil, rv: Tensor? = nil
            return batchNorm($0[0], runningMean: &rm, runningVariance: &rv, weight: nil, bias: nil, training: true)
        }
    }

    @Test func batchNormReLUFused() {
        let x = randomTensor([3, 2, 3, 5], seed: 64, scale: 2, offset: 1), r = randomTensor([3, 2, 3, 5], seed: 65)
        let gamma = randomTensor([2], seed: 66, offset: 1), beta = randomTensor([2], seed: 67)
        checkGradients([x, gamma, beta, r], "batchNormReLU + residual, train", atol: 2e-2) {
            var rm: Tensor? = .zeros([2]), rv: Tensor? = .ones([2])
            return batchNormReLU($0[0], adding: $0[3], runningMean: &rm, runningVariance: &rv,
                                 weight: $0[1], bias: $0[2], training: true)
        }
        // Eval is a per-channel affine map then ReLU: inputs whose pre-activation is at least 0.2
        // from the kink, so the finite differences never straddle it.
        let mean: [Float] = [0.3, -0.2], variance: [Float] = [1.5, 0.7], g: [Float] = [1.2, -0.7], b: [Float] = [0.1, -0.3]
        let z = randomTensor([3, 2, 3, 5], seed: 68).scalars.map { $0 >= 0 ? $0 + 0.2 : $0 - 0.2 }
        let xEval = Tensor(shape: [3, 2, 3, 5], scalars: z.enumerated().map { i, v in
            let ch = (i / 15) % 2
            return (v - b[ch]) / g[ch] * (variance[ch] + 1e-5).squareRoot() + mean[ch]
        })
        checkGradients([xEval, Tensor(shape: [2], scalars: g), Tensor(shape: [2], scalars: b)], "batchNormReLU, eval") {
            var rm: Tensor? = Tensor(shape: [2], scalars: mean), rv: Tensor? = Tensor(shape: [2], scalars: variance)
            return batchNormReLU($0[0], runningMean: &rm, runningVariance: &rv, weight: $0[1], bias: $0[2], training: false)
        }
    }

    @Test func losses() {
        let logits = randomTensor([4, 5], seed: 70)
        checkGradients([logits], "cross-entropy") { softmaxCrossEntropy(logits: $0[0], targets: [0, 4, 2, 2]) }
        checkGradients([logits], "cross-entropy smoothed, weighted") {
            softmaxCrossEntropy(logits: $0[0], targets: [1, 3, 3, 0], classWeights: [1, 2, 0.5, 3, 1], labelSmoothing: 0.2)
        }
        let p = randomTensor([6], seed: 71).sigmoid().detached(), t = randomTensor([6], seed: 72).sigmoid().detached()
        checkGradients([p], "bce", eps: 1e-3) { binaryCrossEntropy($0[0], t) }
        checkGradients([p], "mse") { meanSquaredError($0[0], t) }
        let mu = randomTensor([3, 4], seed: 73), logVar = randomTensor([3, 4], seed: 74, scale: 0.5)
        checkGradients([mu, logVar], "gaussian KL") { gaussianKLDivergence(mean: $0[0], logVariance: $0[1]) }
    }

    @Test func dropoutMasksConsistently() {
        let x = randomTensor([4, 6], seed: 80)
        checkGradients([x], "dropout") { xs in
            var g = RandomGenerator(seed: 5)
            return dropout(xs[0], probability: 0.3, training: true, generator: &g)
        }
    }
}
