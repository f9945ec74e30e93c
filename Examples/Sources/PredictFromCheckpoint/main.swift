import Foundation
import Models
import Tensor
import Vision

// A checkpoint written and read back (safetensors with torchvision's key names and the
// class list in its metadata), then a photo's three most probable classes.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("predict-example-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let classes = ["classic_W", "hiphop_M", "punk_W"]
let metadata = CheckpointMetadata(classes: classes, inputChannels: 3, inputSize: 64, stem: .imagenet,
                                  mean: [0.88, 0.87, 0.85], std: [0.20, 0.22, 0.25])
let checkpoint = folder.appendingPathComponent("model.safetensors")
try Checkpoint.save(ResNet18(classes: classes.count, seed: 1), metadata: metadata, to: checkpoint)

let (model, found) = try Checkpoint.load(contentsOf: checkpoint)
guard let m = found else { fatalError("our checkpoints carry metadata") } // trap-ok: written just above
let photo = Image(width: 64, height: 64, channels: 3, filledWith: 200)
try photo.write(to: folder.appendingPathComponent("photo.jpg"))
let input = PlanarImage(try Image(contentsOf: folder.appendingPathComponent("photo.jpg")))
    .resized(height: m.inputSize, width: m.inputSize).normalized(mean: m.mean, std: m.std)
model.eval()
let batch = Tensor(shape: [1, input.channels, input.height, input.width], scalars: input.values)
let probabilities = withNoGrad { softmax(model(batch)) }.scalars
for (k, p) in probabilities.enumerated().sorted(by: { $0.element > $1.element }).prefix(3) {
    print(String(format: "%6.2f %%  %@", 100 * p, m.classes[k]))
}

// The same through `Predictor`: the checkpoint's classes, size and normalisation applied for
// us (this photo is already prepared, so only padded and resized).
let predictor = try Predictor(checkpoint: checkpoint)
let ranked = try predictor.predict(contentsOf: folder.appendingPathComponent("photo.jpg"), top: 3, preparation: .padAndResize)
for r in ranked { print(String(format: "%6.2f %%  %@ (Predictor)", 100 * r.probability, r.className)) }
let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
precondition(ranked.first?.className == m.classes[best], "Predictor and the hand-made input agree")
