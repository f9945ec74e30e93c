/// Mission 1-1: the photos of both splits and their counts by (gender, style).
public struct ImageStatistics: Sendable {
    /// Accepted training photos.
    public let training: [ImageRecord]
    /// Accepted validation photos.
    public let validation: [ImageRecord]
    /// Photo files whose names did not parse.
    public let skipped: [SkippedFile]

    /// Lists and parses both image folders of `tree`.
    public init(tree: KFashionTree) throws {
        let t = try tree.images(.training), v = try tree.images(.validation)
        self.init(training: t.records, validation: v.records, skipped: t.skipped + v.skipped)
    }

    public init(training: [ImageRecord], validation: [ImageRecord], skipped: [SkippedFile] = []) {
        self.training = training; self.validation = validation; self.skipped = skipped
    }

    /// One table per split and the two combined, with the totals.
    public var report: CountReport {
        let rows = StyleCount.counting(training.map(\.key), split: "training")
            + StyleCount.counting(validation.map(\.key), split: "validation")
            + StyleCount.counting((training + validation).map(\.key), split: "combined")
        let classes = Set((training + validation).map(\.key.className)).count
        return CountReport(
            title: "Mission 1-1: images by gender and style",
            unit: "images", rows: rows,
            totals: [.init("training images", training.count), .init("validation images", validation.count),
                     .init("all images", training.count + validation.count), .init("classes", classes),
                     .init("skipped files", skipped.count)],
            skipped: skipped)
    }
}
