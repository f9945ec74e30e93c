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
        var raw: [Split: Int] = [:], valid: [Split: [LabelRecord]] = [:], skipped = images.skipped
        for split in Split.allCases {
            let labels = try tree.labels(split)
            let photos = Set((split == .training ? images.training : images.validation).map(\.key))
            raw[split] = labels.records.count
            valid[split] = labels.records.filter { photos.contains($0.key) }
            skipped += labels.skipped
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
