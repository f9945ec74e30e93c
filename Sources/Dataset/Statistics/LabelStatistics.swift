import Foundation
import FashionBase

/// Mission 2-1: the valid labels, and their counts.
///
/// A label is valid — for every command — when its name parses (``LabelRecord``, a 6-digit
/// survey id), its whole image key (prefix, id, period, canonical style, gender) names an
/// accepted photo of the same split (not the 5-digit id alone, which repeats across `W`/`T`),
/// and its file is a JSON answer with an integer `user.R_id` and `item.survey.Q5` ∈ {1, 2}
/// (``SurveyAnswer``). Mission 2-2 builds on exactly these answers.
public struct LabelStatistics: Sendable {
    /// Label files found (names that parsed), per split.
    public let rawCounts: [Split: Int]
    /// Valid labels, per split, sorted by file name.
    public let valid: [Split: [LabelRecord]]
    /// Every valid label's decoded answer, per split (label-file order).
    public let answers: [Split: [SurveyAnswer]]
    /// Label and photo files left out, with the reason.
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
                out[s] = Swift.Result {
                    var r = try join.scan(folder: folder, relativeFolder: split.labelFolder)
                    let (answers, bad) = SurveyAnswer.read(r.valid, split: split, folder: folder)
                    let kept = Set(answers.map(\.labelFile))
                    r.valid = r.valid.filter { kept.contains($0.fileName) }
                    r.answers = answers
                    r.skipped = (r.skipped + bad).sorted { $0.path < $1.path }
                    return r
                }
            }
        }
        var raw: [Split: Int] = [:], valid: [Split: [LabelRecord]] = [:], answers: [Split: [SurveyAnswer]] = [:], skipped = images.skipped
        for (s, split) in splits.enumerated() {
            let r = try results[s]!.get()  // trap-ok: parallelFor above fills every slot
            raw[split] = r.raw
            valid[split] = r.valid
            answers[split] = r.answers
            skipped += r.skipped
        }
        self.rawCounts = raw; self.valid = valid; self.answers = answers; self.skipped = skipped
    }

    public init(rawCounts: [Split: Int], valid: [Split: [LabelRecord]], answers: [Split: [SurveyAnswer]] = [:], skipped: [SkippedFile]) {
        self.rawCounts = rawCounts; self.valid = valid; self.answers = answers; self.skipped = skipped
    }

    /// Valid labels by (gender, style) per split and combined, with raw and valid totals.
    public var report: CountReport {
        let t = valid[.training] ?? [], v = valid[.validation] ?? []
        let rows = StyleCount.counting(t.map(\.key), split: "training")
            + StyleCount.counting(v.map(\.key), split: "validation")
            + StyleCount.counting((t + v).map(\.key), split: "combined")
        return CountReport(
            title: "Mission 2-1: valid labels (photo exists, answer readable), by gender and style",
            unit: "valid labels", rows: rows,
            totals: [.init("training label files", rawCounts[.training] ?? 0), .init("training valid labels", t.count),
                     .init("validation label files", rawCounts[.validation] ?? 0), .init("validation valid labels", v.count),
                     .init("all valid labels", t.count + v.count), .init("skipped files", skipped.count)],
            skipped: skipped)
    }
}
