import FuzzDriver
import Dataset

/// Any bytes as Kaggle's Fashion-MNIST CSV: images and labels that agree, or a
/// `FashionMNISTError`, never a trap.
fuzz { data in
    if let set = try? FashionMNIST(csv: [UInt8](data)) {
        precondition(set.pixels.count == set.count * 784, "CSV: pixels and labels disagree")
        precondition(set.labels.allSatisfy { (0..<10).contains($0) }, "CSV: a label outside 0…9")
    }
}
