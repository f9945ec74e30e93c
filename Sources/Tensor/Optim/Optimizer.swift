/// A first-order optimiser over a fixed list of parameters.
public protocol Optimizer: AnyObject {
    /// The parameters updated by ``step()``.
    var parameters: [Parameter] { get }
    /// Current learning rate (schedulers change it between steps).
    var learningRate: Float { get set }
    /// Applies one update from the accumulated gradients (parameters without one are skipped).
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Stochastic gradient descent, `torch.optim.SGD`: weight decay added to the gradient,
/// momentum buffer started from the first gradient, optional dampening and Nesterov.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool
    /// Each parameter's weight decay and learning-rate factor (from its ``ParameterGroup``).
    public let settings: [ParameterGroup.Settings]
    /// Momentum buffers, one per parameter once it has had a gradient.
    public private(set) var momentumBuffers: [Tensor?]

    public convenience init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                            weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov)
    }

    /// SGD over parameter groups (`torch.optim.SGD([{'params': …, 'weight_decay': …, 'lr': …}, …])`):
    /// ``parameters`` are the groups' in order; a group without its own weight decay takes `weightDecay`.
    public init(groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        parameters = groups.flatMap(\.parameters); self.learningRate = learningRate
        settings = ParameterGroup.settings(groups, weightDecay: weightDecay)
        self.momentum = momentum; self.dampening = dampening; self.weightDecay = weightDecay; self.nesterov = nesterov
        momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    /// Replaces the momentum buffers (resuming a run).
    func restore(momentumBuffers buffers: [Tensor?]) { momentumBuffers = buffers }

    public func step() {
        let mu = momentum, damp = dampening, nesterov = self.nesterov
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let g = grad.pointer
            let wd = settings[i].weightDecay, lr = learningRate * settings[i].learningRateScale
            let first = momentumBuffers[i] == nil
            if mu != 0 && first { momentumBuffers[i] = Tensor(uninitializedShape: p.shape) }
            let buf = momentumBuffers[i]?.pointer
            let n = p.value.count
            p.value.withUnsafeMutableBufferPointer { w in
                let w = w.baseAddress!
                Threading.parallelRanges(n, minimumGrain: 1 << 16) { r in
                    // Eight lanes at a time, each lane the scalar formula below operation for
                    // operation (no fused multiply-add), so the result is bit-identical to it.
                    typealias V = SIMD8<Float>
                    let vwd = V(repeating: wd), vmu = V(repeating: mu), vdamp = V(repeating: 1 - damp), vlr = V(repeating: lr)
                    var j = r.lowerBound
                    while j + 8 <= r.upperBound {
                        let wj = UnsafeRawPointer(w + j).loadUnaligned(as: V.self)
                        var d = UnsafeRawPointer(g + j).loadUnaligned(as: V.self) + vwd * wj
                        if let buf {
                            let b = first ? d : vmu * UnsafeRawPointer(buf + j).loadUnaligned(as: V.self) + vdamp * d
                            UnsafeMutableRawPointer(buf + j).storeBytes(of: b, as: V.self)
                            d = nesterov ? d + vmu * b : b
                        }
                        UnsafeMutableRawPointer(w + j).storeBytes(of: wj - vlr * d, as: V.self)
                        j += 8
                    }
                    while j < r.upperBound {
                        var d = g[j] + wd * w[j]
                        if let buf {
                            buf[j] = first ? d : mu * buf[j] + (1 - damp) * d
                            d = nesterov ? d + mu * buf[j] : buf[j]
                        }
                        w[j] -= lr * d
                        j += 1
                    }
                }
            }
        }
    }
}

/// Adam, `torch.optim.Adam` (β = (0.9, 0.999), ε = 1e-8 by default; weight decay as L2
/// added to the gradient; bias-corrected step as PyTorch computes it).
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    /// Each parameter's weight decay and learning-rate factor (from its ``ParameterGroup``).
    public let settings: [ParameterGroup.Settings]
    /// Steps taken.
    public private(set) var stepCount = 0
    /// First and second moment estimates, one pair per parameter.
    public private(set) var firstMoments: [Tensor], secondMoments: [Tensor]

    public convenience init(_ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                            eps: Float = 1e-8, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay)
    }

    /// Adam over parameter groups (`torch.optim.Adam([{'params': …, 'weight_decay': …, 'lr': …}, …])`):
    /// ``parameters`` are the groups' in order; a group without its own weight decay takes `weightDecay`.
    public init(groups: [ParameterGroup], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0) {
        parameters = groups.flatMap(\.parameters); self.learningRate = learningRate
        settings = ParameterGroup.settings(groups, weightDecay: weightDecay)
        beta1 = betas.0; beta2 = betas.1; self.eps = eps; self.weightDecay = weightDecay
        firstMoments = parameters.map { .zeros($0.shape) }
        secondMoments = parameters.map { .zeros($0.shape) }
    }

    /// Replaces the step count and moments (resuming a run).
    func restore(step: Int, first: [Tensor], second: [Tensor]) {
        stepCount = step; firstMoments = first; secondMoments = second
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let bc1 = Float(1 - _pow(Double(beta1), t)), bc2Sqrt = Float((1 - _pow(Double(beta2), t)).squareRoot())
        let b1 = beta1, b2 = beta2, eps = self.eps
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let wd = settings[i].weightDecay, stepSize = learningRate * settings[i].learningRateScale / bc1
            let g = grad.pointer
            let m = firstMoments[i].pointer, v = secondMoments[i].pointer
            let n = p.value.count
            p.value.withUnsafeMutableBufferPointer { w in
                let w = w.baseAddress!
                Threading.parallelRanges(n, minimumGrain: 1 << 16) { r in
                    // Eight lanes at a time, each lane the scalar formula below operation for
                    // operation (no fused multiply-add), so the result is bit-identical to it.
                    typealias V = SIMD8<Float>
                    let vb1 = V(repeating: b1), vb2 = V(repeating: b2), va1 = V(repeating: 1 - b1), va2 = V(repeating: 1 - b2)
                    let vwd = V(repeating: wd), vstep = V(repeating: stepSize), vbc2 = V(repeating: bc2Sqrt), veps = V(repeating: eps)
                    var j = r.lowerBound
                    while j + 8 <= r.upperBound {
                        let wj = UnsafeRawPointer(w + j).loadUnaligned(as: V.self)
                        let d = UnsafeRawPointer(g + j).loadUnaligned(as: V.self) + vwd * wj
                        let mj = vb1 * UnsafeRawPointer(m + j).loadUnaligned(as: V.self) + va1 * d
                        let vj = vb2 * UnsafeRawPointer(v + j).loadUnaligned(as: V.self) + va2 * d * d
                        UnsafeMutableRawPointer(m + j).storeBytes(of: mj, as: V.self)
                        UnsafeMutableRawPointer(v + j).storeBytes(of: vj, as: V.self)
                        UnsafeMutableRawPointer(w + j).storeBytes(of: wj - vstep * mj / (vj.squareRoot() / vbc2 + veps), as: V.self)
                        j += 8
                    }
                    while j < r.upperBound {
                        let d = g[j] + wd * w[j]
                        m[j] = b1 * m[j] + (1 - b1) * d
                        v[j] = b2 * v[j] + (1 - b2) * d * d
                        w[j] -= stepSize * m[j] / (v[j].squareRoot() / bc2Sqrt + eps)
                        j += 1
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
import Darwin
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
