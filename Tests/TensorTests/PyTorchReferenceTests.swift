import Testing
@testable import Tensor

/// Forward values, gradients and optimiser steps against numbers PyTorch produced
/// (Tools/make_tensor_reference.py → Reference/pytorch.json).
@Suite struct PyTorchReferenceTests {
    let ref = PyTorchReference.shared

    @Test func convBatchNormPoolLinearCrossEntropyChain() {
        let c = "chain"
        let x = ref.tensor(c, "x").requiringGrad(), w = ref.tensor(c, "w").requiringGrad(), b = ref.tensor(c, "b").requiringGrad()
        let gamma = ref.tensor(c, "gamma").requiringGrad(), beta = ref.tensor(c, "beta").requiringGrad()
        let lw = ref.tensor(c, "lw").requiringGrad(), lb = ref.tensor(c, "lb").requiringGrad()
        var rm: Tensor? = ref.tensor(c, "running_mean_in"), rv: Tensor? = ref.tensor(c, "running_var_in")
        let y = conv2d(x, weight: w, bias: b, stride: (2, 2), padding: (1, 1))
        expectClose(y.scalars, ref.floats(c, "conv"), "conv2d forward")
        let z = batchNorm(y, runningMean: &rm, runningVariance: &rv, weight: gamma, bias: beta, training: true)
        expectClose(z.scalars, ref.floats(c, "bn"), "batch norm forward")
        expectClose(rm!.scalars, ref.floats(c, "running_mean"), "running mean")
        expectClose(rv!.scalars, ref.floats(c, "running_var"), "running variance (unbiased)")
        let h = z.relu().maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)).flattened()
        let logits = linear(h, weight: lw, bias: lb)
        expectClose(logits.scalars, ref.floats(c, "logits"), "logits")
        let loss = softmaxCrossEntropy(logits: logits, targets: ref.ints(c, "targets"))
        expectClose([loss.scalar], [ref.number(c, "loss")], "loss")
        loss.backward()
        for (t, key) in [(x, "grad_x"), (w, "grad_w"), (b, "grad_b"), (gamma, "grad_gamma"),
                         (beta, "grad_beta"), (lw, "grad_lw"), (lb, "grad_lb")] {
            expectClose(t.grad!.scalars, ref.floats(c, key), atol: 1e-5, rtol: 1e-3, key)
        }
    }

    @Test func batchNormEvaluationMode() {
        let c = "batchnorm_eval"
        let x = ref.tensor(c, "x").requiringGrad(), gamma = ref.tensor(c, "gamma").requiringGrad(), beta = ref.tensor(c, "beta").requiringGrad()
        var rm: Tensor? = ref.tensor(c, "running_mean"), rv: Tensor? = ref.tensor(c, "running_var")
        let out = batchNorm(x, runningMean: &rm, runningVariance: &rv, weight: gamma, bias: beta, training: false)
        expectClose(out.scalars, ref.floats(c, "out"), "eval forward")
        #expect(rm!.scalars == ref.floats(c, "running_mean"), "evaluation must not touch running statistics")
        out.backward(ref.tensor(c, "seed"))
        expectClose(x.grad!.scalars, ref.floats(c, "grad_x"), "grad x")
        expectClose(gamma.grad!.scalars, ref.floats(c, "grad_gamma"), "grad gamma")
        expectClose(beta.grad!.scalars, ref.floats(c, "grad_beta"), "grad beta")
    }

    @Test func batchNorm1dTrainingLayer() {
        let c = "batchnorm1d_train"
        let bn = BatchNorm1d(4)
        let x = ref.tensor(c, "x").requiringGrad()
        let out = bn(x)
        expectClose(out.scalars, ref.floats(c, "out"), "forward")
        out.backward(ref.tensor(c, "seed"))
        expectClose(x.grad!.scalars, ref.floats(c, "grad_x"), rtol: 1e-3, "grad x")
        expectClose(bn.runningMean.value.scalars, ref.floats(c, "running_mean"), "running mean")
        expectClose(bn.runningVariance.value.scalars, ref.floats(c, "running_var"), "running var")
        #expect(bn.batchesTracked.value.scalar == 1)
    }

    @Test func crossEntropyWithWeightsAndLabelSmoothing() {
        let c = "cross_entropy"
        let logits = ref.tensor(c, "logits").requiringGrad()
        let loss = softmaxCrossEntropy(logits: logits, targets: ref.ints(c, "targets"),
                                       classWeights: ref.floats(c, "weights"), labelSmoothing: ref.number(c, "smoothing"))
        expectClose([loss.scalar], [ref.number(c, "loss")], "loss")
        loss.backward()
        expectClose(logits.grad!.scalars, ref.floats(c, "grad"), "gradient")
    }

    @Test func binaryCrossEntropyOnProbabilities() {
        let c = "bce"
        let p = ref.tensor(c, "p").requiringGrad()
        let loss = binaryCrossEntropy(p, ref.tensor(c, "t"))
        expectClose([loss.scalar], [ref.number(c, "loss")], "loss")
        loss.backward()
        expectClose(p.grad!.scalars, ref.floats(c, "grad"), "gradient")
    }

    private func trajectory(_ c: String, _ make: ([Parameter]) -> any Optimizer) {
        let raw = ref.cases[c]!
        let w0 = (raw["w0"] as! [Any]).map { ($0 as! Double) }.map(Float.init)
        let grads = (raw["grads"] as! [[Any]]).map { $0.map { Float($0 as! Double) } }
        let expected = (raw["trajectory"] as! [[Any]]).map { $0.map { Float($0 as! Double) } }
        let p = Parameter(Tensor(shape: [w0.count], scalars: w0))
        let opt = make([p])
        for (g, e) in zip(grads, expected) {
            opt.zeroGrad()
            (p.value * Tensor(shape: [g.count], scalars: g)).sum().backward()   // grad = g
            opt.step()
            expectClose(p.value.scalars, e, atol: 1e-6, rtol: 1e-5, "\(c) step")
        }
    }

    @Test func sgdWithMomentumAndWeightDecay() {
        trajectory("sgd") { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }
    }

    @Test func sgdNesterov() {
        trajectory("sgd_nesterov") { SGD($0, learningRate: 0.05, momentum: 0.8, nesterov: true) }
    }

    @Test func adamWithL2WeightDecay() {
        trajectory("adam") { Adam($0, learningRate: 0.01, weightDecay: 0.1) }
    }
}

