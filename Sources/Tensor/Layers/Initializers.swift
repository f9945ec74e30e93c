/// Weight initialisers with PyTorch's formulas (`torch.nn.init`). Fan-in of a weight
/// O×I×… is I·(receptive field), fan-out O·(receptive field).
public enum Initializer {
    /// Which fan a Kaiming initialiser preserves.
    public enum FanMode: String, Sendable { case fanIn = "fan_in", fanOut = "fan_out" }

    /// (fan_in, fan_out) of a weight shape.
    public static func fans(_ shape: [Int]) -> (Int, Int) {
        precondition(shape.count >= 2, "Initializer.fans: weight needs at least 2 dimensions, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Uniform values in [−bound, bound).
    public static func uniform(_ shape: [Int], bound: Float, generator: inout RandomGenerator) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        t.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = generator.uniform(-bound, bound) } }
        return t
    }

    /// Normal values with the given standard deviation.
    public static func normal(_ shape: [Int], std: Float, generator: inout RandomGenerator) -> Tensor {
        var t = Tensor(uninitializedShape: shape)
        t.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = std * generator.normal() } }
        return t
    }

    /// `kaiming_uniform_(w, mode:, nonlinearity='relu')`: bound = √2 · √(3 / fan).
    public static func kaimingUniform(_ shape: [Int], mode: FanMode = .fanIn, generator: inout RandomGenerator) -> Tensor {
        let (fi, fo) = fans(shape)
        let fan = Float(mode == .fanIn ? fi : fo)
        return uniform(shape, bound: Float(2).squareRoot() * (3 / fan).squareRoot(), generator: &generator)
    }

    /// `kaiming_normal_(w, mode:, nonlinearity='relu')`: std = √2 / √fan.
    public static func kaimingNormal(_ shape: [Int], mode: FanMode = .fanIn, generator: inout RandomGenerator) -> Tensor {
        let (fi, fo) = fans(shape)
        let fan = Float(mode == .fanIn ? fi : fo)
        return normal(shape, std: Float(2).squareRoot() / fan.squareRoot(), generator: &generator)
    }

    /// PyTorch's default for `Conv2d` and `Linear` weights, `kaiming_uniform_(a=√5)`:
    /// bound = 1/√fan_in.
    public static func defaultWeight(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        uniform(shape, bound: 1 / Float(fans(shape).0).squareRoot(), generator: &generator)
    }

    /// PyTorch's default bias for `Conv2d` and `Linear`: uniform ±1/√fan_in of the weight.
    public static func defaultBias(count: Int, weightShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let fi = fans(weightShape).0
        return uniform([count], bound: fi > 0 ? 1 / Float(fi).squareRoot() : 0, generator: &generator)
    }
}
