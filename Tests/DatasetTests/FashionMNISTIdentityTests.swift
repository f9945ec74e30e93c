import Foundation
import Testing
@testable import Dataset

/// Fashion-MNIST is recognised by an order-free signature of its images and labels; another set
/// in its layout, a subset or an edited copy is not.
@Suite struct FashionMNISTIdentityTests {
    // Two declarations: Swift 6.3 gives `static let a = …, b = …` with closures both a's value.
    static let a = (0..<784).map { UInt8(($0 * 7) % 256) }
    static let b = (0..<784).map { UInt8(255 - $0 % 256) }

    /// The signature of two known images equals the one `Tools/fashion_mnist_signature.py`
    /// computes in Python (its `mix` and FNV-1a over label and pixels, summed), an exact integer.
    @Test func signatureMatchesThePythonReference() {
        let set = FashionMNIST(pixels: Self.a + Self.b, labels: [3, 9], rows: 28, columns: 28)
        #expect(set.contentSignature == 0xFA17_466F_5D9D_19DB)
    }

    @Test func signatureIgnoresOrderButSeesAnyLabelOrPixel() {
        let set = FashionMNIST(pixels: Self.a + Self.b, labels: [3, 9], rows: 28, columns: 28)
        let swapped = FashionMNIST(pixels: Self.b + Self.a, labels: [9, 3], rows: 28, columns: 28)
        #expect(set.contentSignature == swapped.contentSignature)
        let relabelled = FashionMNIST(pixels: Self.a + Self.b, labels: [9, 3], rows: 28, columns: 28)
        #expect(set.contentSignature != relabelled.contentSignature)
        var edited = Self.a; edited[400] &+= 1
        #expect(set.contentSignature != FashionMNIST(pixels: edited + Self.b, labels: [3, 9], rows: 28, columns: 28).contentSignature)
        #expect(set.publishedSplit == nil)
    }

    /// Debian's files are the published splits; shuffled they still are; without one image, with
    /// one pixel or one label changed they are not.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func recognisesThePublishedSplitsOnly() throws {
        let train = try FashionMNIST(split: .train), test = try FashionMNIST(split: .test)
        #expect(train.publishedSplit == .train && test.publishedSplit == .test)
        let reversed = Array((0..<test.count).reversed())
        #expect(test.subset(reversed).publishedSplit == .test)
        #expect(test.subset(Array(0..<(test.count - 1))).publishedSplit == nil)
        var pixels = test.pixels; pixels[784 * 17 + 300] ^= 1
        #expect(FashionMNIST(pixels: pixels, labels: test.labels, rows: 28, columns: 28).publishedSplit == nil)
        var labels = test.labels; labels[17] = (labels[17] + 1) % 10
        #expect(FashionMNIST(pixels: test.pixels, labels: labels, rows: 28, columns: 28).publishedSplit == nil)
    }
}
