import TestSupport
import FashionBase
import Foundation
import Testing
@testable import Dataset

@Suite struct FashionMNISTTests {
    @Test func parsesIDXBytes() throws {
        let bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 8, 9, 10]
        let f = try IDXFile(data: bytes)
        #expect(f.dimensions == [2, 1, 2] && f.bytes == [7, 8, 9, 10])
    }

    @Test func rejectsMalformedIDX() {
        #expect(throws: IDXError.self) { try IDXFile(data: [0, 0, 8]) }
        #expect(throws: IDXError.self) { try IDXFile(data: [1, 0, 8, 1, 0, 0, 0, 1, 5]) }
        #expect(throws: IDXError.self) { try IDXFile(data: [0, 0, 0x0D, 1, 0, 0, 0, 1, 5, 5, 5, 5]) }
        #expect(throws: IDXError.malformed(path: "<memory>", reason: "1 data bytes for dimensions [2] (2 expected)")) {
            try IDXFile(data: [0, 0, 8, 1, 0, 0, 0, 2, 5])
        }
        #expect(throws: IDXError.missing(path: "/nonexistent/x.gz")) { try IDXFile(path: "/nonexistent/x.gz") }
        // Dimensions from the file are multiplied with overflow checks (0xFFFFFFFF⁴ would trap), a 0-sized axis is refused.
        #expect(throws: IDXError.self) { try IDXFile(data: [0, 0, 8, 4] + [UInt8](repeating: 0xFF, count: 16) + [1]) }
        #expect(throws: IDXError.malformed(path: "<memory>", reason: "a dimension of size 0 in [2, 0]")) {
            try IDXFile(data: [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 0])
        }
    }

    /// Files that parse as IDX but are not Fashion-MNIST's shape are refused with the file named.
    @Test func refusesImagesThatAreNot28By28() throws {
        let dir = TemporaryFolder.name("idx")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        try write("train-labels-idx1-ubyte.gz", IDXBytes.header([1]) + [3])
        try write("train-images-idx3-ubyte.gz", IDXBytes.header([1, 14, 56]) + [UInt8](repeating: 0, count: 14 * 56))
        #expect(throws: IDXError.malformed(path: dir.path + "/train-images-idx3-ubyte.gz", reason: "images are 14×56; Fashion-MNIST's are 28×28")) {
            try FashionMNIST(split: .train, directory: dir.path)
        }
        try write("train-labels-idx1-ubyte.gz", IDXBytes.header([0]))
        try write("train-images-idx3-ubyte.gz", IDXBytes.header([0, 28, 28]))
        #expect(throws: IDXError.self) { try FashionMNIST(split: .train, directory: dir.path) }
        try write("train-labels-idx1-ubyte.gz", IDXBytes.header([1]) + [3])
        try write("train-images-idx3-ubyte.gz", IDXBytes.header([1, 28, 28]) + [UInt8](repeating: 0, count: 784))
        #expect(try FashionMNIST(split: .train, directory: dir.path).count == 1)
    }

    /// The data fingerprint the processes of a job compare changes with any label or pixel.
    @Test func fingerprintSeesOneChangedLabelOrPixel() throws {
        let dir = TemporaryFolder.name("idx-fingerprint")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func fingerprint(labels: [UInt8], pixel: UInt8) throws -> String {
            for split in ["train", "t10k"] {
                try Data(IDXBytes.header([2]) + labels).write(to: dir.appendingPathComponent("\(split)-labels-idx1-ubyte.gz"))
                try Data(IDXBytes.header([2, 28, 28]) + [pixel] + [UInt8](repeating: 0, count: 2 * 784 - 1)).write(to: dir.appendingPathComponent("\(split)-images-idx3-ubyte.gz"))
            }
            let train = try FashionMNIST(split: .train, directory: dir.path), test = try FashionMNIST(split: .test, directory: dir.path)
            return FashionMNISTData(train: train, test: test).fingerprint
        }
        let base = try fingerprint(labels: [1, 2], pixel: 0)
        #expect(try fingerprint(labels: [1, 2], pixel: 0) == base)
        #expect(try fingerprint(labels: [1, 3], pixel: 0) != base)
        #expect(try fingerprint(labels: [1, 2], pixel: 1) != base)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func loadsDebianPackage() throws {
        let test = try FashionMNIST(split: .test)
        #expect(test.count == 10_000 && test.rows == 28 && test.columns == 28)
        #expect(Set(test.labels) == Set(0..<10))
        #expect(test.labels.filter { $0 == 0 }.count == 1000)   // balanced classes
        let b = test.batch([0, 1])
        #expect(b.shape == [2, 1, 28, 28] && b.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}

@Suite struct FashionMNISTSplitTests {
    static func set(_ count: Int) -> FashionMNIST {
        FashionMNIST(pixels: (0..<(count * 784)).map { UInt8(truncatingIfNeeded: $0 / 784) }, labels: (0..<count).map { $0 % 10 }, rows: 28, columns: 28)
    }

    /// `--validation N`: N training images held out by a seeded permutation, never trained on,
    /// judged instead of the test set; the test set stays readable for the end.
    @Test func validationSplitHoldsOutTrainingImages() {
        let train = Self.set(100), test = Self.set(20)
        let data = FashionMNISTData(train: train, test: test, batchSize: 16, augment: false, seed: 5, validation: 30)
        #expect(data.heldOutName == "validation")
        #expect(data.validationIndices.count == 30 && data.trainingIndices.count == 70)
        #expect(Set(data.validationIndices).isDisjoint(with: data.trainingIndices))
        #expect(Set(data.validationIndices + data.trainingIndices) == Set(0..<100))
        #expect(data.validationIndices != Array(70..<100))   // a permutation's, not the file's last
        #expect(data.trainingBatchCount == 5)
        for epoch in 0..<3 { #expect(data.trainingOrder(epoch: epoch).sorted() == data.trainingIndices) }
        // The held-out batches are those images, in order, with their labels; the test batches the test set.
        let held = data.validationBatches().flatMap(\.labels)
        #expect(held == data.validationIndices.map { $0 % 10 })
        #expect(data.testBatches().flatMap(\.labels) == (0..<20).map { $0 % 10 })
        let first = data.validationBatches().first { _ in true }
        #expect(first?.images.scalars.first == (Float(data.validationIndices[0] % 256) / 255 - FashionMNISTData.mean) / FashionMNISTData.std)
        // The split follows the seed, not the epoch.
        let again = FashionMNISTData(train: train, test: test, seed: 5, validation: 30), other = FashionMNISTData(train: train, test: test, seed: 6, validation: 30)
        #expect(again.validationIndices == data.validationIndices && other.validationIndices != data.validationIndices)
    }

    /// Without a split the epochs walk the whole training set in the order they always did, and
    /// the test set is the held-out set.
    @Test func noSplitKeepsTheOrder() {
        let data = FashionMNISTData(train: Self.set(50), test: Self.set(10), seed: 42)
        #expect(data.heldOutName == "test" && data.validationIndices.isEmpty)
        var g = RandomGenerator(seed: 42 &+ 1 &* 7919)
        #expect(data.trainingOrder(epoch: 1) == g.permutation(50))
        #expect(data.validationBatches().flatMap(\.labels) == data.testBatches().flatMap(\.labels))
    }
}
