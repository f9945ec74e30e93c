import ArgumentParser
import Dataset
import Foundation
import Vision

/// Mission 1-2 steps 1–3: prepare every photo of both splits.
struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mission 1-2 steps 1-3: background to white, crop to the subject, pad to a square, resize; white-share flags; training mean/std.")

    @OptionGroup var dataOptions: DataOptions

    @Option(name: [.customLong("out"), .customLong("output")], help: "Output folder (prepared photos, manifest.csv, white_share.csv, normalization.json, skipped.csv).")
    var out: String = "data/prepared"

    @Option(help: "Output side in pixels.")
    var size: Int = 224

    @Option(help: "Background: flood (classical removal), white (photos already on white), or a folder of PNG masks named like the photos.")
    var background = BackgroundChoice.flood

    func validate() throws {
        guard (8...4096).contains(size) else { throw ValidationError("--size must be in 8…4096") }
        if case .masks(let folder) = background {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--background must be flood, white, or an existing folder of masks (got \(folder))")
            }
        }
    }

    func run() throws {
        let mode: PhotoPreparer.Background
        switch background {
        case .flood: mode = .floodFill(BackgroundRemover())
        case .white: mode = .alreadyWhite
        case .masks(let folder): mode = .externalMasks(URL(fileURLWithPath: folder))
        }
        try OutputFolder.create(URL(fileURLWithPath: out), option: "--out")
        let set = PreparedSet(tree: try dataOptions.tree(), output: URL(fileURLWithPath: out),
                              preparer: PhotoPreparer(size: size, background: mode))
        let bar = TerminalProgress(total: 1, label: "prepare: photos")
        let summary = try set.run { done, total in bar.update(done, of: total) }
        bar.finish()
        print("prepared \(summary.prepared) photos (\(summary.reused) reused from an earlier run) in \(String(format: "%.1f", summary.seconds)) s"
              + (summary.prepared > 0 ? String(format: ", %.1f photos/s", summary.photosPerSecond) : ""))
        for (split, rule) in summary.rules.sorted(by: { $0.key < $1.key }) {
            print(String(format: "%@ white share: Q1 %.3f, Q3 %.3f, flagged outside [%.3f, %.3f]", split, rule.q1, rule.q3, rule.lower, rule.upper))
        }
        print("flagged \(summary.flagged.count) photo\(summary.flagged.count == 1 ? "" : "s") (see \(out)/white_share.csv)")
        if let n = summary.normalization {
            print(String(format: "training mean %.4f %.4f %.4f, std %.4f %.4f %.4f (%d images) → %@/normalization.json",
                         n.mean[0], n.mean[safe: 1] ?? n.mean[0], n.mean[safe: 2] ?? n.mean[0],
                         n.std[0], n.std[safe: 1] ?? n.std[0], n.std[safe: 2] ?? n.std[0], n.images, out))
        }
        if !summary.skipped.isEmpty {
            print("skipped \(summary.skipped.count) file\(summary.skipped.count == 1 ? "" : "s") (see \(out)/skipped.csv):")
            for s in summary.skipped.prefix(10) { print("  \(s)") }
        }
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
