import TestSupport
import FashionBase
import Foundation
import Testing
import CZlib
@testable import Dataset

/// Fashion-MNIST in the layouts users bring: Debian's and Zalando's gzip IDX files, the same
/// decompressed or with a dot in the name, torchvision's `raw/` folders, Kaggle's CSV files.
@Suite struct FashionMNISTLayoutTests {
    /// Three 28×28 images, each with its own pixel pattern, and their labels.
    static let labels: [UInt8] = [9, 0, 4]
    static let pixels: [UInt8] = (0..<(3 * 784)).map { (i: Int) -> UInt8 in
        let pattern = i * 37 + i / 784 * 11
        return UInt8(pattern % 256)
    }

    static var imageBytes: [UInt8] { IDXBytes.header([3, 28, 28]) + pixels }
    static var labelBytes: [UInt8] { IDXBytes.header([3]) + labels }

    /// `bytes` gzip-compressed (zlib's gzip stream, as `gzip` writes).
    static func gzipped(_ bytes: [UInt8], at path: String) throws {
        guard let f = gzopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        _ = bytes.withUnsafeBytes { gzwrite(f, $0.baseAddress, UInt32($0.count)) }
        gzclose(f)
    }

    /// Kaggle's CSV of the three images: its header, then a label and 784 pixels a line.
    static func csv(lineEnd: String = "\n", header: Bool = true) -> String {
        var s = header ? "label," + (1...784).map { "pixel\($0)" }.joined(separator: ",") + lineEnd : ""
        for i in 0..<3 {
            s += ([String(labels[i])] + pixels[(i * 784)..<((i + 1) * 784)].map(String.init)).joined(separator: ",") + lineEnd
        }
        return s
    }

    func folder(_ name: String) throws -> URL {
        let dir = TemporaryFolder.name(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func expectTheImages(_ dir: URL, _ expected: FashionMNISTFiles.Format, _ split: FashionMNIST.Split = .test) throws {
        #expect(try FashionMNISTFiles.locate(split: split, in: dir.path).format == expected)
        let set = try FashionMNIST(split: split, directory: dir.path)
        #expect(set.pixels == Self.pixels && set.labels == Self.labels.map(Int.init))
    }

    @Test func readsEveryIDXLayout() throws {
        let dir = try folder("fmnist-layouts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        // (sub-folder, image name, label name, gzip?) — each layout alone in the folder in turn.
        let layouts: [(String, String, String, Bool)] = [
            ("", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", true),
            ("", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", false),
            ("", "t10k-images.idx3-ubyte", "t10k-labels.idx1-ubyte", false),
            ("raw", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", false),
            ("FashionMNIST/raw", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", true),
            ("fashion", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", true),
        ]
        for (sub, images, labels, gzip) in layouts {
            for item in try fm.contentsOfDirectory(atPath: dir.path) { try fm.removeItem(at: dir.appendingPathComponent(item)) }
            let place = sub.isEmpty ? dir : dir.appendingPathComponent(sub)
            try fm.createDirectory(at: place, withIntermediateDirectories: true)
            let imagePath = place.appendingPathComponent(images).path, labelPath = place.appendingPathComponent(labels).path
            if gzip {
                try Self.gzipped(Self.imageBytes, at: imagePath); try Self.gzipped(Self.labelBytes, at: labelPath)
            } else {
                try Data(Self.imageBytes).write(to: URL(fileURLWithPath: imagePath)); try Data(Self.labelBytes).write(to: URL(fileURLWithPath: labelPath))
            }
            try expectTheImages(dir, .idx(images: imagePath, labels: labelPath))
        }
        // torchvision leaves the archive and its decompressed copy side by side: the archive is read.
        let raw = dir.appendingPathComponent("FashionMNIST/raw")
        try fm.removeItem(at: dir.appendingPathComponent("fashion"))
        try fm.createDirectory(at: raw, withIntermediateDirectories: true)
        try Self.gzipped(Self.imageBytes, at: raw.appendingPathComponent("t10k-images-idx3-ubyte.gz").path)
        try Self.gzipped(Self.labelBytes, at: raw.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
        try Data(Self.imageBytes).write(to: raw.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(Self.labelBytes).write(to: raw.appendingPathComponent("t10k-labels-idx1-ubyte"))
        try expectTheImages(dir, .idx(images: raw.appendingPathComponent("t10k-images-idx3-ubyte.gz").path,
                                      labels: raw.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path))
        // The training split is not there: the error names the folder, the split and what was looked for.
        let error = try #require(throws: FashionMNISTError.self) { try FashionMNIST(split: .train, directory: dir.path) }
        #expect(error == .noSplit(directory: dir.path, split: .train))
        let message = error.description
        #expect(message.contains("train-images-idx3-ubyte.gz") && message.contains("fashion-mnist_train.csv")
                && message.contains("\(dir.path)/FashionMNIST/raw") && message.contains("dataset-fashion-mnist"))
    }

    @Test func readsKaggleCSV() throws {
        let dir = try folder("fmnist-csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fashion-mnist_test.csv")
        for (ending, header) in [("\n", true), ("\r\n", true), ("\n", false)] {
            try Self.csv(lineEnd: ending, header: header).write(to: path, atomically: true, encoding: .utf8)
            try expectTheImages(dir, .csv(path.path))
        }
        // IDX files beside the CSV come first.
        try Data(Self.imageBytes).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(Self.labelBytes).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect(try FashionMNISTFiles.locate(split: .test, in: dir.path).format
                == .idx(images: dir.appendingPathComponent("t10k-images-idx3-ubyte").path,
                        labels: dir.appendingPathComponent("t10k-labels-idx1-ubyte").path))
    }

    /// A line that is not a label and 784 pixels is refused with the file, the line and the reason.
    @Test func refusesMalformedCSV() throws {
        let good = Self.csv()
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func parse(_ text: String) throws { _ = try FashionMNISTCSV.parse(Array(text.utf8), path: "k.csv") }
        func replacing(line: Int, with text: String) -> String {
            var l = lines; l[line] = text; return l.joined(separator: "\n")
        }
        let row = lines[2]
        var fields = row.split(separator: ",").map(String.init)
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "784 fields; a label and 28×28 = 784 pixels are 785")) {
            try parse(replacing(line: 2, with: fields.dropLast().joined(separator: ",")))
        }
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "more than 1 + 784 fields (a label and 28×28 pixels)")) {
            try parse(replacing(line: 2, with: row + ",0"))
        }
        fields[0] = "10"
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "label 10 outside 0…9")) {
            try parse(replacing(line: 2, with: fields.joined(separator: ",")))
        }
        fields[0] = "1"; fields[5] = "256"
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "pixel 5 is 256, outside 0…255")) {
            try parse(replacing(line: 2, with: fields.joined(separator: ",")))
        }
        fields[5] = "-1"
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "field 6 holds \"-\": expected whole numbers separated by commas")) {
            try parse(replacing(line: 2, with: fields.joined(separator: ",")))
        }
        fields[5] = ""
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "field 6 is empty")) {
            try parse(replacing(line: 2, with: fields.joined(separator: ",")))
        }
        fields[5] = "1 2"
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "field 6 holds two numbers")) {
            try parse(replacing(line: 2, with: fields.joined(separator: ",")))
        }
        fields[5] = " 12 "   // spaces around a number are fine
        _ = try FashionMNISTCSV.parse(Array(replacing(line: 2, with: fields.joined(separator: ",")).utf8), path: "k.csv")
        fields[5] = "1234567"
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 3, reason: "field 6 is not a whole number from 0 to 255")) {
            try parse(replacing(line: 2, with: fields.joined(separator: ",")))
        }
        lines = [lines[0], ""]
        #expect(throws: FashionMNISTError.csv(path: "k.csv", line: 0, reason: "holds no images")) { try parse(lines.joined(separator: "\n")) }
    }

    @Test func namesWhatIsMissing() throws {
        let dir = try folder("fmnist-missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let gone = dir.appendingPathComponent("nowhere").path
        #expect(throws: FashionMNISTError.noDirectory(gone)) { try FashionMNIST(split: .train, directory: gone) }
        let file = dir.appendingPathComponent("a-file")
        try Data([1]).write(to: file)
        #expect(throws: FashionMNISTError.notADirectory(file.path)) { try FashionMNIST(split: .train, directory: file.path) }
        #expect(FashionMNISTError.notADirectory(file.path).description.hasSuffix("files, such as \(dir.path)"))
        // Images without labels: both files named.
        let raw = dir.appendingPathComponent("raw")
        try FileManager.default.createDirectory(at: raw, withIntermediateDirectories: true)
        try Data(Self.imageBytes).write(to: raw.appendingPathComponent("t10k-images-idx3-ubyte"))
        let error = try #require(throws: FashionMNISTError.self) { try FashionMNIST(split: .test, directory: dir.path) }
        #expect(error == .unpaired(found: raw.appendingPathComponent("t10k-images-idx3-ubyte").path,
                                   missing: raw.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path))
        // A folder named like a file is not taken for one.
        try FileManager.default.removeItem(at: raw.appendingPathComponent("t10k-images-idx3-ubyte"))
        try FileManager.default.createDirectory(at: raw.appendingPathComponent("t10k-images-idx3-ubyte.gz"), withIntermediateDirectories: true)
        #expect(throws: FashionMNISTError.noSplit(directory: dir.path, split: .test)) { try FashionMNIST(split: .test, directory: dir.path) }
        // A FIFO named like a data file is refused, never opened (it would block).
        try FileManager.default.removeItem(at: raw.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let fifo = raw.appendingPathComponent("t10k-images-idx3-ubyte").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try Data(Self.labelBytes).write(to: raw.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect(throws: IDXError.unreadable(path: fifo, reason: "a FIFO, not a regular file")) { try FashionMNIST(split: .test, directory: dir.path) }
        try FileManager.default.removeItem(at: raw)
        let csv = dir.appendingPathComponent("fashion-mnist_test.csv").path
        #expect(mkfifo(csv, 0o600) == 0)
        #expect(throws: FashionMNISTError.csv(path: csv, line: 0, reason: "a FIFO, not a regular file")) { try FashionMNIST(split: .test, directory: dir.path) }
    }

    /// Debian's test split written out as Kaggle's CSV reads back to the same pixels and labels.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func kaggleCSVOfTheRealDataMatchesItsIDX() throws {
        let idx = try FashionMNIST(split: .test)
        let count = 500
        var text = "label," + (1...784).map { "pixel\($0)" }.joined(separator: ",") + "\n"
        for i in 0..<count {
            text += ([String(idx.labels[i])] + idx.pixels[(i * 784)..<((i + 1) * 784)].map(String.init)).joined(separator: ",") + "\n"
        }
        let (pixels, labels) = try FashionMNISTCSV.parse(Array(text.utf8), path: "kaggle.csv")
        #expect(labels == Array(idx.labels.prefix(count)) && pixels == Array(idx.pixels.prefix(count * 784)))
    }
}
