import FashionBase
import Foundation

/// Where one split of Fashion-MNIST lies in the folder a user names (`--data`), in any of the
/// layouts the data set is distributed in:
///
/// - the gzip IDX files of Zalando's repository and Debian's `dataset-fashion-mnist`
///   (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-…`), or the same
///   decompressed (`train-images-idx3-ubyte`, as torchvision's download leaves them beside the
///   archives), or named with a dot (`train-images.idx3-ubyte`, as some mirrors do);
/// - those files in the folder itself or in `raw/`, `FashionMNIST/raw/` (torchvision's `root`
///   folder) or `fashion/` (Zalando's `data` folder);
/// - Kaggle's CSV files (`fashion-mnist_train.csv`, `fashion-mnist_test.csv`: a header line,
///   then a label and 784 pixel values a row).
///
/// The first folder of that list holding a split's images wins, IDX before CSV; images without
/// their labels (or the other way round) are an error naming both files.
///
/// ```swift
/// let files = try FashionMNISTFiles.locate(split: .train, in: "data")   // data/FashionMNIST/raw/…
/// ```
public struct FashionMNISTFiles: Sendable, Equatable {
    /// The files of a split and their format.
    public enum Format: Sendable, Equatable {
        /// IDX files of images and labels, gzip-compressed or plain.
        case idx(images: String, labels: String)
        /// One CSV file of labels and pixels (Kaggle's).
        case csv(String)
    }

    /// The split's files.
    public let format: Format

    /// The file the images come from: the IDX images (their labels lie beside), or the CSV.
    public var imagesPath: String {
        switch format {
        case .idx(let images, _): return images
        case .csv(let path): return path
        }
    }

    /// The folders searched under the named one, in order (`""`: the folder itself).
    public static let subfolders = ["", "raw", "FashionMNIST/raw", "fashion"]

    /// The two IDX files of a split.
    public enum Kind: String, Sendable { case images, labels }

    /// The names an IDX file of `split` may have, in order of preference.
    public static func idxNames(split: FashionMNIST.Split, kind: Kind) -> [String] {
        let prefix = split == .train ? "train" : "t10k"
        let rank = kind == .images ? "idx3" : "idx1"
        let stems = ["\(prefix)-\(kind.rawValue)-\(rank)-ubyte", "\(prefix)-\(kind.rawValue).\(rank)-ubyte"]
        return stems.flatMap { ["\($0).gz", $0] }
    }

    /// Kaggle's name for the CSV of `split`.
    public static func csvName(split: FashionMNIST.Split) -> String {
        split == .train ? "fashion-mnist_train.csv" : "fashion-mnist_test.csv"
    }

    /// Finds `split` in `directory` (see the type's description for the layouts tried).
    public static func locate(split: FashionMNIST.Split, in directory: String) throws -> FashionMNISTFiles {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else { throw FashionMNISTError.noDirectory(directory) }
        guard isDirectory.boolValue else { throw FashionMNISTError.notADirectory(directory) }
        func join(_ folder: String, _ name: String) -> String {
            folder.isEmpty ? "\(directory)/\(name)" : "\(directory)/\(folder)/\(name)"
        }
        func firstFile(in folder: String, _ names: [String]) -> String? {
            names.lazy.map { join(folder, $0) }.first { path in
                var dir: ObjCBool = false
                return fm.fileExists(atPath: path, isDirectory: &dir) && !dir.boolValue
            }
        }
        let imageNames = idxNames(split: split, kind: .images), labelNames = idxNames(split: split, kind: .labels)
        for folder in subfolders {
            let images = firstFile(in: folder, imageNames), labels = firstFile(in: folder, labelNames)
            switch (images, labels) {
            case let (i?, l?): return FashionMNISTFiles(format: .idx(images: i, labels: l))
            case let (i?, nil): throw FashionMNISTError.unpaired(found: i, missing: join(folder, labelNames[0]))
            case let (nil, l?): throw FashionMNISTError.unpaired(found: l, missing: join(folder, imageNames[0]))
            case (nil, nil): continue
            }
        }
        for folder in subfolders {
            if let csv = firstFile(in: folder, [csvName(split: split)]) { return FashionMNISTFiles(format: .csv(csv)) }
        }
        throw FashionMNISTError.noSplit(directory: directory, split: split)
    }
}

/// Why Fashion-MNIST could not be found or read (beyond an IDX file's own errors, ``IDXError``).
public enum FashionMNISTError: Error, CustomStringConvertible, Equatable {
    /// The folder named does not exist.
    case noDirectory(String)
    /// The path named is a file, not a folder.
    case notADirectory(String)
    /// No layout of the split was found in the folder.
    case noSplit(directory: String, split: FashionMNIST.Split)
    /// A split's images without their labels, or its labels without the images.
    case unpaired(found: String, missing: String)
    /// A line of a CSV file that is not a label and 784 pixels (line 0: the file as a whole).
    case csv(path: String, line: Int, reason: String)

    public var description: String {
        let install = "install it with `apt-get install dataset-fashion-mnist` (Debian) or pass the folder holding it"
        switch self {
        case .noDirectory(let d): return "\(d): no such folder — \(install)"
        case .notADirectory(let d):
            let parent = (d as NSString).deletingLastPathComponent
            return "\(d): a file, not a folder — pass the folder that holds Fashion-MNIST's files, such as \(parent.isEmpty ? "." : parent)"
        case let .noSplit(d, split):
            let places = FashionMNISTFiles.subfolders.map { $0.isEmpty ? d : "\(d)/\($0)" }.joined(separator: ", ")
            let names = FashionMNISTFiles.idxNames(split: split, kind: .images)[0] + " (or decompressed) with "
                + FashionMNISTFiles.idxNames(split: split, kind: .labels)[0]
            return "\(d): no Fashion-MNIST \(split.rawValue) split — looked for \(names) and Kaggle's "
                + "\(FashionMNISTFiles.csvName(split: split)) in \(places); \(install)"
        case let .unpaired(found, missing): return "\(found): found, but not \(missing) (or its other names) beside it"
        case let .csv(path, line, reason): return line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)"
        }
    }
}

/// Kaggle's Fashion-MNIST CSV: an optional header line (`label,pixel1,…,pixel784`), then one
/// image a line — its label in `0…9` and its 784 pixels in `0…255`, row-major.
enum FashionMNISTCSV {
    /// The largest file read, as for IDX files.
    static let maximumBytes = IDXFile.maximumBytes

    /// Pixels (`count × 784` bytes) and labels of `path`.
    static func read(path: String) throws -> (pixels: [UInt8], labels: [Int]) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        switch ReadableFile.read(path, limit: maximumBytes, what: "a Fashion-MNIST CSV", buffer: &buffer) {
        case .success(let data): return try parse(Array(data), path: path)
        case .failure(let failure): throw FashionMNISTError.csv(path: path, line: 0, reason: failure.reason)
        }
    }

    /// Parses CSV bytes (`path` only names the source in errors).
    static func parse(_ bytes: [UInt8], path: String) throws -> (pixels: [UInt8], labels: [Int]) {
        let plane = 28 * 28
        var pixels: [UInt8] = [], labels: [Int] = []
        pixels.reserveCapacity(bytes.count / 3)
        var line = 0, i = 0
        let n = bytes.count
        while i < n {
            line += 1
            var end = i
            while end < n, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var stop = end
            if stop > i, bytes[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
            defer { i = end + 1 }
            if stop == i { continue }   // a blank line (the last one, usually)
            if line == 1, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { continue }   // the header
            var fields = 0, value = 0, digits = 0, spaced = false, p = i
            func fail(_ reason: String) -> FashionMNISTError { .csv(path: path, line: line, reason: reason) }
            while true {
                let atEnd = p == stop
                let c = atEnd ? UInt8(ascii: ",") : bytes[p]
                if c == UInt8(ascii: ",") {
                    guard digits > 0 else { throw fail("field \(fields + 1) is empty") }
                    if fields == 0 {
                        guard value <= 9 else { throw fail("label \(value) outside 0…9") }
                        labels.append(value)
                    } else {
                        guard fields <= plane else { throw fail("more than 1 + \(plane) fields (a label and 28×28 pixels)") }
                        guard value <= 255 else { throw fail("pixel \(fields) is \(value), outside 0…255") }
                        pixels.append(UInt8(value))
                    }
                    fields += 1; value = 0; digits = 0; spaced = false
                    if atEnd { break }
                } else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                    spaced = digits > 0   // spaces around a number are allowed, not inside one
                } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                    guard !spaced else { throw fail("field \(fields + 1) holds two numbers") }
                    digits += 1
                    guard digits <= 6 else { throw fail("field \(fields + 1) is not a whole number from 0 to 255") }
                    value = value * 10 + Int(c - UInt8(ascii: "0"))
                } else {
                    throw fail("field \(fields + 1) holds \"\(String(decoding: [c], as: UTF8.self))\": expected whole numbers separated by commas")
                }
                p += 1
            }
            guard fields == plane + 1 else { throw fail("\(fields) fields; a label and 28×28 = \(plane) pixels are \(plane + 1)") }
            guard labels.count * plane <= maximumBytes else { throw fail("more images than the \(maximumBytes >> 20) MiB read") }
        }
        guard !labels.isEmpty else { throw FashionMNISTError.csv(path: path, line: 0, reason: "holds no images") }
        return (pixels, labels)
    }
}
