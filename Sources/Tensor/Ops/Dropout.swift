/// Inverted dropout, `F.dropout`: in training each element is zeroed with probability
/// `p` and the survivors scaled by 1/(1−p); otherwise the identity.
public func dropout(_ x: Tensor, probability p: Float, training: Bool, generator: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
    guard training && p > 0 else { return x }
    var mask = Tensor(uninitializedShape: x.shape)
    let scale: Float = p < 1 ? 1 / (1 - p) : 0
    mask.withUnsafeMutableBufferPointer { m in
        for i in m.indices { m[i] = generator.uniform() < p ? 0 : scale }
    }
    return x * mask
}
