import FashionBase

/// Whether a set read in Fashion-MNIST's layout is Fashion-MNIST.
///
/// The IDX and CSV layouts are shared by MNIST, KMNIST, EMNIST and anyone's own 28×28 set:
/// any of them loads as ``FashionMNIST``, and its results would then be named with
/// Fashion-MNIST's classes. ``FashionMNIST/publishedSplit`` recognises Zalando's published
/// images and labels by an order-free signature, so a reshuffled copy is recognised and a
/// different set, a subset or an edited copy is not.
///
/// ```swift
/// let train = try FashionMNIST(split: .train)
/// if train.publishedSplit != .train { print("not Fashion-MNIST's training set") }
/// ```
extension FashionMNIST {
    /// A signature of the images and their labels that does not depend on their order: the
    /// wrapping sum over images of a mixed FNV-1a hash of each image's label and pixels.
    public var contentSignature: UInt64 {
        let plane = rows * columns
        return pixels.withUnsafeBufferPointer { p in
            var sum: UInt64 = 0
            for (i, label) in labels.enumerated() {
                var h = Fingerprint()
                h.combine(bytes: CollectionOfOne(UInt8(truncatingIfNeeded: label)))
                h.combine(bytes: UnsafeBufferPointer(rebasing: p[(i * plane)..<((i + 1) * plane)]))
                sum &+= Self.mix(h.value)
            }
            return sum
        }
    }

    /// The split of Zalando's published Fashion-MNIST these images and labels are, in any order
    /// (``contentSignature``, image count and size compared), or nil: another data set in the
    /// same layout (MNIST, KMNIST, …), a subset, or a copy with a changed image or label.
    public var publishedSplit: Split? {
        guard rows == 28, columns == 28 else { return nil }
        let signature = contentSignature
        return Self.published.first { $0.count == count && $0.signature == signature }?.split
    }

    /// The published splits' sizes and ``contentSignature``s, of the decompressed files of Debian's
    /// `dataset-fashion-mnist` 0.0~git20200523 (Zalando's repository at that commit; Debian
    /// recompressed them, so the `.gz` files' own checksums differ from Zalando's). Computed
    /// independently by `Tools/fashion_mnist_signature.py`.
    static let published: [(split: Split, count: Int, signature: UInt64)] = [
        (.train, 60_000, 0xD868_2651_6396_69F8),
        (.test, 10_000, 0xF317_87AE_4DDB_1D42),
    ]

    /// SplitMix64's finaliser: spreads each image's hash over all 64 bits before the sum.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
