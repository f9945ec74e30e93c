import Tensor

// Two Gaussian blobs in 2-d, a linear layer, cross-entropy, Adam: the loss falls.
var g = RandomGenerator(seed: 7)
let n = 64
var points: [Float] = [], labels: [Int] = []
for i in 0..<n {
    let label = i % 2
    points += [g.normal(mean: label == 0 ? -1 : 1, std: 0.5), g.normal(mean: label == 0 ? 1 : -1, std: 0.5)]
    labels.append(label)
}
let x = Tensor(shape: [n, 2], scalars: points)
let layer = Linear(2, 2, generator: &g)
let optimizer = Adam(layer.parameters, learningRate: 0.1)
var first: Float = 0, last: Float = 0
for step in 0..<50 {
    optimizer.zeroGrad()
    let loss = softmaxCrossEntropy(logits: layer(x), targets: labels)
    loss.backward()
    optimizer.step()
    if step == 0 { first = loss.scalar }
    last = loss.scalar
}
print("loss \(first) → \(last)")
precondition(last < first / 2, "the loss should fall")
