import CZlib
import FashionBase
import Tensor

/// Fashion-MNIST (Zalando): 60,000 training and 10,000 test 28×28 grey images in 10
/// classes, read from the gzip IDX files that Debian's `dataset-fashion-mnist` installs — or
/// from torchvision's and Kaggle's copies (``FashionMNISTFiles``).
public struct FashionMNIST: Sendable {
    /// Where Debian's package puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// Class names in label order.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Which half of the data set.
    public enum Split: String, Sendable { case train, test }

    /// `count × 28 × 28` bytes, row-major.
    public let pixels: [UInt8]
    /// One label in `0..<10` per image.
    public let labels: [Int]
    /// Image height and width in pixels (28 × 28).
    public let rows: Int, columns: Int
    /// Images in the split.
    public var count: Int { labels.count }

    /// Loads one split from `directory`: Debian's and Zalando's gzip IDX files
    /// (`train-images-idx3-ubyte.gz`, …), the same decompressed, in `raw/` or
    /// `FashionMNIST/raw/` as torchvision keeps them, or Kaggle's CSV files
    /// (``FashionMNISTFiles`` lists the layouts).
    public init(split: Split, directory: String = FashionMNIST.defaultDirectory) throws {
        switch try FashionMNISTFiles.locate(split: split, in: directory).format {
        case let .idx(imagePath, labelPath): try self.init(images: imagePath, labels: labelPath)
        case let .csv(path):
            let (pixels, labels) = try FashionMNISTCSV.read(path: path)
            self.init(pixels: pixels, labels: labels, rows: 28, columns: 28)
        }
    }

    /// Parses Kaggle's CSV layout (an optional header line, then a label in `0…9` and 784 pixels
    /// in `0…255` a line); `path` only names the source in errors (``FashionMNISTError/csv(path:line:reason:)``).
    public init(csv bytes: [UInt8], path: String = "<memory>") throws {
        let (pixels, labels) = try FashionMNISTCSV.parse(bytes, path: path)
        self.init(pixels: pixels, labels: labels, rows: 28, columns: 28)
    }

    /// Loads a pair of IDX files (gzip-compressed or plain) of 28×28 images and their labels.
    public init(images imagePath: String, labels labelPath: String) throws {
        let images = try IDXFile(path: imagePath)
        let labels = try IDXFile(path: labelPath)
        guard images.dimensions.count == 3 else { throw IDXError.malformed(path: imagePath, reason: "expected 3 dimensions, found \(images.dimensions.count)") }
        guard labels.dimensions.count == 1 else { throw IDXError.malformed(path: labelPath, reason: "expected 1 dimension, found \(labels.dimensions.count)") }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw IDXError.malformed(path: labelPath, reason: "\(labels.dimensions[0]) labels for \(images.dimensions[0]) images")
        }
        guard images.dimensions[0] > 0 else { throw IDXError.malformed(path: imagePath, reason: "holds no images") }
        guard images.dimensions[1] == 28, images.dimensions[2] == 28 else {
            throw IDXError.malformed(path: imagePath, reason: "images are \(images.dimensions[1])×\(images.dimensions[2]); Fashion-MNIST's are 28×28")
        }
        if let bad = labels.bytes.first(where: { $0 > 9 }) { throw IDXError.malformed(path: labelPath, reason: "label \(bad) outside 0…9") }
        self.init(pixels: images.bytes, labels: labels.bytes.map(Int.init), rows: images.dimensions[1], columns: images.dimensions[2])
    }

    /// The images `indices` (in that order) as a set of their own.
    public func subset(_ indices: [Int]) -> FashionMNIST {
        let plane = rows * columns
        var p = [UInt8](); p.reserveCapacity(indices.count * plane)
        for i in indices { p += pixels[(i * plane)..<((i + 1) * plane)] }
        return FashionMNIST(pixels: p, labels: indices.map { labels[$0] }, rows: rows, columns: columns)
    }

    init(pixels: [UInt8], labels: [Int], rows: Int, columns: Int) {
        self.pixels = pixels; self.labels = labels; self.rows = rows; self.columns = columns
    }

    /// Images `indices` as an N×1×28×28 tensor in [0, 1], optionally normalised `(x − mean)/std`.
    public func batch(_ indices: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        let plane = rows * columns
        var t = Tensor(uninitializedShape: [indices.count, 1, rows, columns])
        pixels.withUnsafeBufferPointer { src in
            t.withUnsafeMutableBufferPointer { dst in
                for (n, i) in indices.enumerated() {
                    for j in 0..<plane { dst[n * plane + j] = (Float(src[i * plane + j]) / 255 - mean) / std }
                }
            }
        }
        return t
    }
}

/// Why an IDX file could not be read.
public enum IDXError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    /// Not a regular file (a FIFO, a device, a folder) or not readable.
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let p):
            return "\(p): not found — install Fashion-MNIST with `apt-get install dataset-fashion-mnist` (Debian) or pass its directory"
        case .unreadable(let p, let r): return "\(p): \(r)"
        case .malformed(let p, let r): return "\(p): not a valid IDX file: \(r)"
        }
    }
}

/// An IDX file of unsigned bytes (the MNIST format), plain or gzip-compressed.
public struct IDXFile: Sendable {
    /// The IDX file's dimensions (count, rows, columns for images).
    public let dimensions: [Int]
    /// The IDX file's data, after its header.
    public let bytes: [UInt8]
    /// The largest (decompressed) file read: 1 GiB, 20× Fashion-MNIST's training images.
    public static let maximumBytes = 1 << 30

    /// Reads and validates `path`; gzip is detected by zlib transparently.
    public init(path: String) throws {
        // Checked before opening: a FIFO or device named like the file would block or never end.
        if case .failure(let failure) = ReadableFile.check(path) {
            throw failure.reason == "no such file" ? IDXError.missing(path: path) : IDXError.unreadable(path: path, reason: failure.reason)
        }
        guard let file = gzopen(path, "rb") else { throw IDXError.missing(path: path) }
        defer { gzclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw IDXError.malformed(path: path, reason: "corrupt compressed data") }
            if n == 0 { break }
            data += chunk[0..<Int(n)]
            guard data.count <= IDXFile.maximumBytes else {
                throw IDXError.malformed(path: path, reason: "more than \(IDXFile.maximumBytes >> 20) MiB once decompressed")
            }
        }
        try self.init(data: data, path: path)
    }

    /// Parses IDX bytes (`path` only names the source in errors).
    public init(data: [UInt8], path: String = "<memory>") throws {
        guard data.count >= 4 else { throw IDXError.malformed(path: path, reason: "\(data.count) bytes, shorter than the header") }
        guard data[0] == 0, data[1] == 0 else { throw IDXError.malformed(path: path, reason: "bad magic number") }
        guard data[2] == 0x08 else { throw IDXError.malformed(path: path, reason: "element type 0x\(String(data[2], radix: 16)), only unsigned bytes (0x08) supported") }
        let rank = Int(data[3])
        guard rank >= 1, data.count >= 4 + 4 * rank else { throw IDXError.malformed(path: path, reason: "truncated header") }
        var dims: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            dims.append(Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3]))
        }
        let start = 4 + 4 * rank
        // Dimensions come from the file: multiply with overflow checks, bounded by the bytes present.
        var expected = 1
        for d in dims {
            let (p, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow, p <= data.count else {
                throw IDXError.malformed(path: path, reason: "dimensions \(dims) need more bytes than the file's \(data.count)")
            }
            expected = p
        }
        guard !dims.contains(0) else { throw IDXError.malformed(path: path, reason: "a dimension of size 0 in \(dims)") }
        guard data.count - start == expected else {
            throw IDXError.malformed(path: path, reason: "\(data.count - start) data bytes for dimensions \(dims) (\(expected) expected)")
        }
        dimensions = dims
        bytes = Array(data[start...])
    }
}
