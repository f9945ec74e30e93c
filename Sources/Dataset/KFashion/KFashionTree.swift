import Foundation
import FashionBase

/// A K-Fashion data set on disk in the real layout:
/// `training_image/`, `validation_image/`, `training_label/`, `validation_label/`.
public struct KFashionTree: Sendable {
    /// The folder holding the four K-Fashion folders.
    public let root: URL

    /// The tree at `root`; fails only if `root` itself is not a folder.
    public init(root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFolder(path: root.path, expected: "a K-Fashion root with training_image/, validation_image/, training_label/, validation_label/")
        }
        self.root = root
    }

    /// The photo folder of `split` (`training_image`, `validation_image`).
    public func imageFolder(_ split: Split) -> URL { root.appendingPathComponent(split.imageFolder) }
    /// The label folder of `split` (`training_label`, `validation_label`).
    public func labelFolder(_ split: Split) -> URL { root.appendingPathComponent(split.labelFolder) }

    /// The accepted photos of a split (sorted by name) — the one definition every command
    /// uses: a regular file directly in the split's folder (sub-folders and hidden files are
    /// listed as skipped, not searched) whose name parses — extension `.jpg` or `.jpeg` in any
    /// case, as cameras and Windows write them —
    /// (``ImageRecord``) and whose content is a whole JPEG (``PhotoCheck``). Everything else
    /// is returned as skipped with its reason. A missing folder is an error.
    public func images(_ split: Split) throws -> (records: [ImageRecord], skipped: [SkippedFile]) {
        let (named, skipped) = try parse(folder: split.imageFolder, expected: "photos named {W|T}_{id}_{period}_{style}_{gender}.jpg") {
            try ImageRecord(fileName: $0)
        }
        let folder = imageFolder(split)
        var problems = [String?](repeating: nil, count: named.count)
        problems.withUnsafeMutableBufferPointer { out in
            Threading.parallelRanges(named.count, minimumGrain: 64) { range in
                for i in range { out[i] = PhotoCheck.problem(at: folder.appendingPathComponent(named[i].fileName)) }
            }
        }
        var records: [ImageRecord] = [], bad: [SkippedFile] = []
        records.reserveCapacity(named.count)
        for (record, problem) in zip(named, problems) {
            if let problem { bad.append(SkippedFile(path: "\(split.imageFolder)/\(record.fileName)", reason: problem)) } else { records.append(record) }
        }
        return (records, (skipped + bad).sorted { $0.path < $1.path })
    }

    /// The label files of a split, parsed from their names (not opened), in directory order
    /// (callers sort what they keep: a label folder holds ~211,000 names).
    public func labels(_ split: Split) throws -> (records: [LabelRecord], skipped: [SkippedFile]) {
        try parse(folder: split.labelFolder, sorted: false, expected: "label files named {image stem}_{surveyID}.json") {
            try LabelRecord(fileName: $0)
        }
    }

    private func parse<R>(folder: String, sorted: Bool = true, expected: String, _ make: (String) throws -> R) throws -> (records: [R], skipped: [SkippedFile]) {
        let url = root.appendingPathComponent(folder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFolder(path: url.path, expected: expected)
        }
        // Parse on all cores: a label folder holds ~211,000 names.
        let (names, left) = try DirectoryListing.listing(in: url, sorted: sorted)
        var results = [Result<R, NameError>?](repeating: nil, count: names.count)
        results.withUnsafeMutableBufferPointer { out in
            Threading.parallelRanges(names.count, minimumGrain: 4096) { range in
                for i in range {
                    do { out[i] = .success(try make(names[i])) } catch let error as NameError { out[i] = .failure(error) } catch {
                        out[i] = .failure(NameError(name: names[i], reason: "\(error)"))
                    }
                }
            }
        }
        var records: [R] = [], skipped = left.map { SkippedFile(path: "\(folder)/\($0.name)", reason: $0.reason) }
        records.reserveCapacity(names.count)
        for result in results {
            switch result {
            case .success(let r)?: records.append(r)
            case .failure(let e)?: skipped.append(SkippedFile(path: "\(folder)/\(e.name)", reason: e.reason))
            case nil: break
            }
        }
        return (records, skipped.sorted { $0.path < $1.path })
    }
}
