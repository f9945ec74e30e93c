import Foundation
import Tensor

/// Mission 2-1: the label files whose photo exists in the same split, and their counts.
///
/// A label is valid when its whole image key (prefix, id, period, canonical style, gender)
/// names a photo of the same split — not the 5-digit id alone, which repeats across `W`/`T`.
public struct LabelStatistics: Sendable {
    /// Label files found (names that parsed), per split.
    public let rawCounts: [Split: Int]
    /// Valid labels, per split, sorted by file name.
    public let valid: [Split: [LabelRecord]]
    /// Label and photo files whose names did not parse.
    public let skipped: [SkippedFile]

    /// Lists both label folders and joins them with the image folders of `tree`.
    public init(tree: KFashionTree, images: ImageStatistics) throws {
        // The two label folders are listed and joined concurrently.
        let splits = Split.allCases
        var results = [Swift.Result<LabelJoin.Result, Error>?](repeating: nil, count: splits.count)
        results.withUnsafeMutableBufferPointer { out in
            Threading.parallelFor(splits.count) { s in
                let split = splits[s]
                let folder = tree.labelFolder(split)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                    out[s] = .failure(DatasetError.missingFolder(path: folder.path, expected: "label files named {image stem}_{surveyID}.json"))
                    return
                }
                let join = LabelJoin(images: split == .training ? images.training : images.validation)
                out[s] = Swift.Result { try join.scan(folder: folder, relativeFolder: split.labelFolder) }
            }
        }
        var raw: [Split: Int] = [:], valid: [Split: [LabelRecord]] = [:], skipped = images.skipped
        for (s, split) in splits.enumerated() {
            let r = try results[s]!.get()
            raw[split] = r.raw
            valid[split] = r.valid
            skipped += r.skipped
        }
        self.rawCounts = raw; self.valid = valid; self.skipped = skipped
    }

    public init(rawCounts: [Split: Int], valid: [Split: [LabelRecord]], skipped: [SkippedFile]) {
        self.rawCounts = rawCounts; self.valid = valid; self.skipped = skipped
    }

    /// Valid labels by (gender, style) per split and combined, with raw and valid totals.
    public var report: CountReport {
        let t = valid[.training] ?? [], v = valid[.validation] ?? []
        let rows = StyleCount.counting(t.map(\.key), split: "training")
            + StyleCount.counting(v.map(\.key), split: "validation")
            + StyleCount.counting((t + v).map(\.key), split: "combined")
        return CountReport(
            title: "Mission 2-1: labels whose photo exists, by gender and style",
            unit: "valid labels", rows: rows,
            totals: [.init("training label files", rawCounts[.training] ?? 0), .init("training valid labels", t.count),
                     .init("validation label files", rawCounts[.validation] ?? 0), .init("validation valid labels", v.count),
                     .init("all valid labels", t.count + v.count), .init("skipped files", skipped.count)],
            skipped: skipped)
    }
}
