import Tensor
import Models

var generator = RandomGenerator(seed: 42)
let images = Initializer.normal([4, 3, 64, 64], std: 1, generator: &generator)   // N×C×H×W
let labels = [0, 5, 12, 30]

let model = ResNet18(classes: 31, initialization: .kaimingUniform, seed: 42)
let optimizer = Adam(model.parameters, learningRate: 1e-3)
let loss = softmaxCrossEntropy(logits: model(images), targets: labels, labelSmoothing: 0.05)
loss.backward()
optimizer.step()
let weights = model.stateDictionary()   // "conv1.weight", "layer1.0.bn1.running_mean", …
print("loss \(loss.scalar), \(weights.keys.count) tensors in the state dictionary")
