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

    /// Prepares the tree's photos at `size` px into `prepared` unless a current preparation of
    /// this tree is there, with a progress line; `recipe` (a checkpoint's
    /// ``CheckpointMetadata/preparation``) says how, the default flood fill otherwise. A folder
    /// prepared from another tree, or before the tree's photos changed, is prepared again in
    /// place; one of this tree at another size or recipe is refused with the reason (preparing
    /// it again would undo a choice made with `fashion prepare`). `anySize` accepts any size and
    /// recipe of this tree's photos (for a checkpoint that does not say how it was prepared).
    func ensurePrepared(_ prepared: String, size: Int, recipe: String? = nil, anySize: Bool = false, for what: String = "the model") throws {
        let url = URL(fileURLWithPath: prepared)
        let preparer = recipe.flatMap { PhotoPreparer(recipe: $0, size: size) } ?? PhotoPreparer(size: size)
        let set = PreparedSet(tree: try tree(), output: url, preparer: preparer)
        let found = try set.mismatches()
        if !anySize, let choice = found.first(where: { !$0.isAboutTheData }), !found.contains(.missing) {
            throw ValidationError("\(prepared): \(choice), but \(what) needs photos prepared at \(size) px with `\(preparer.recipe)`; "
                                  + "give --prepared a folder prepared that way (or a new folder, prepared there)")
        }
        guard let why = found.first(where: \.isAboutTheData) else { return }
        print(why == .missing ? "preparing the photos at \(size) px into \(prepared)" : "\(prepared): \(why); preparing it again from \(data) at \(size) px")
        try OutputFolder.create(url, option: "--prepared")
        let bar = TerminalProgress(total: 1, label: "prepare: photos")
        _ = try set.run { bar.update($0, of: $1) }
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

    @Option(name: [.customLong("output"), .customLong("out")], help: "Write the report to this file (atomically) instead of standard output.")
    var output: String?

    /// Writes `text` to `--output` or standard output.
    func emit(_ text: String) throws {
        if let output {
            let url = URL(fileURLWithPath: output)
            // One rule for every command: missing folders of an output are created (mkdir -p).
            try OutputFolder.create(url.deletingLastPathComponent(), option: "--output")
            AtomicFile.removeLeftovers(of: url)
            try AtomicFile.write(Data(text.utf8), to: url)
            FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The totals as `NAME.totals.csv` beside a CSV or JSON report written to `--output NAME.ext`
    /// (those formats hold only the main table; the others show the totals themselves).
    func noteTotals(_ csv: String) throws {
        guard let output, format == .csv || format == .json else { return }
        let url = URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("totals.csv")
        try AtomicFile.write(Data(csv.utf8), to: url)
        FileHandle.standardError.write(Data("wrote \(url.path)\n".utf8))
    }

    /// Skipped files: a summary on standard error when standard output must stay machine-readable
    /// (a text report lists them itself), and `NAME.skipped.csv` beside a report written to
    /// `--output NAME.ext`.
    func noteSkipped(_ skipped: [SkippedFile]) throws {
        if let output {
            let url = URL(fileURLWithPath: output)
            let csv = url.deletingPathExtension().appendingPathExtension("skipped.csv")
            try SkippedFile.write(skipped, to: csv)
            FileHandle.standardError.write(Data("wrote \(csv.path)\n".utf8))
        }
        guard format != .text && format != .markdown || output != nil else { return }
        FileHandle.standardError.write(Data(SkippedFile.summary(skipped).utf8))
    }
}

/// Skipped files of a command that writes a folder: a summary on standard error and
/// `skipped.csv` (file, reason) in the folder.
enum SkippedReport {
    static func note(_ skipped: [SkippedFile], folder: URL) throws {
        FileHandle.standardError.write(Data(SkippedFile.summary(skipped).utf8))
        try OutputFolder.create(folder, option: "output folder")
        try SkippedFile.write(skipped, to: folder.appendingPathComponent("skipped.csv"))
    }
}

/// Makes an output folder (and its parents), or says which path is in the way and why — the one
/// rule of every command: an output's missing folders are created, as `mkdir -p`; clears
/// the temporaries a killed earlier run left in it (``AtomicFile/removeLeftovers(in:)``).
enum OutputFolder {
    static func create(_ url: URL, option: String) throws {
        do { try AtomicFile.createFolder(url) } catch let error as AtomicFile.WriteError {
            throw ValidationError("\(option) \(url.path): cannot create the folder (\(error.reason))")
        }
    }
}

/// Choices are read without regard to case (`--format CSV`, `--optimizer SGD`), as their help
/// lists them in lower case; anything else is still an error listing the choices.
extension ExpressibleByArgument where Self: RawRepresentable, Self: CaseIterable, RawValue == String {
    public init?(argument: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue == argument })
                ?? Self.allCases.first(where: { $0.rawValue.lowercased() == argument.lowercased() }) else { return nil }
        self = match
    }
}
