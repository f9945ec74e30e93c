import ArgumentParser
import Dataset
import Foundation
import Tensor
import Vision

extension ReportFormat: ExpressibleByArgument {}

/// `--data DIR`: a K-Fashion tree in the real layout.
struct DataOptions: ParsableArguments {
    /// Root of the data set (training_image/, validation_image/, training_label/, validation_label/).
    @Option(name: .long, help: "K-Fashion root folder (the real layout; `fashion synth` makes one).")
    var data: String = "data/kfashion"

    /// Prepares the tree's photos at `size` px into `prepared` unless a preparation is there
    /// already (its `manifest.csv`), with a progress line.
    func ensurePrepared(_ prepared: String, size: Int) throws {
        let url = URL(fileURLWithPath: prepared)
        guard !FileManager.default.fileExists(atPath: url.appendingPathComponent("manifest.csv").path) else { return }
        print("preparing the photos at \(size) px into \(prepared)")
        let bar = TerminalProgress(total: 1, label: "prepare: photos")
        _ = try PreparedSet(tree: try tree(), output: url, preparer: PhotoPreparer(size: size)).run { bar.update($0, of: $1) }
        bar.finish()
    }

    func tree() throws -> KFashionTree {
        do { return try KFashionTree(root: URL(fileURLWithPath: data)) } catch {
            throw ValidationError("\(error)\nMake a look-alike set with: fashion synth --out \(data)")
        }
    }
}

/// `--format` and `--output` for reports.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: text, markdown, csv, json or html.")
    var format: ReportFormat = .text

    @Option(help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    /// Writes `text` to `--output` or standard output.
    func emit(_ text: String) throws {
        if let output {
            try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// A one-line summary of skipped files on standard error, for formats whose standard output
    /// must stay machine-readable.
    func noteSkipped(_ skipped: [SkippedFile]) {
        guard !skipped.isEmpty, format == .csv || format == .json || format == .html || output != nil else { return }
        var counts: [String: Int] = [:]
        for s in skipped { counts[s.reason, default: 0] += 1 }
        var note = "skipped \(skipped.count) file\(skipped.count == 1 ? "" : "s"):\n"
        for (reason, n) in counts.sorted(by: { $0.value > $1.value }).prefix(8) { note += "  \(n) × \(reason)\n" }
        if let first = skipped.first { note += "  e.g. \(first)\n" }
        FileHandle.standardError.write(Data(note.utf8))
    }
}

/// Makes an output folder (and its parents), or says which path is in the way and why.
enum OutputFolder {
    static func create(_ url: URL, option: String) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            var reason = "no permission?"
            var ancestor = url
            while ancestor.path != "/" {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                    if !isDirectory.boolValue { reason = "\(ancestor.path) is a file, not a folder" }
                    break
                }
                ancestor.deleteLastPathComponent()
            }
            throw ValidationError("\(option) \(url.path): cannot create the folder (\(reason))")
        }
    }
}
