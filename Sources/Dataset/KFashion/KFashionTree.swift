import Foundation

/// A K-Fashion data set on disk in the real layout:
/// `training_image/`, `validation_image/`, `training_label/`, `validation_label/`.
public struct KFashionTree: Sendable {
    public let root: URL

    /// The tree at `root`; fails only if `root` itself is not a folder.
    public init(root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFolder(path: root.path, expected: "a K-Fashion root with training_image/, validation_image/, training_label/, validation_label/")
        }
        self.root = root
    }

    public func imageFolder(_ split: Split) -> URL { root.appendingPathComponent(split.imageFolder) }
    public func labelFolder(_ split: Split) -> URL { root.appendingPathComponent(split.labelFolder) }

    /// The photos of a split, parsed from their names (sorted by name); names that do not
    /// parse are returned as skipped with the reason. A missing folder is an error.
    public func images(_ split: Split) throws -> (records: [ImageRecord], skipped: [SkippedFile]) {
        try parse(folder: split.imageFolder, expected: "photos named {W|T}_{id}_{period}_{style}_{gender}.jpg") {
            try ImageRecord(fileName: $0)
        }
    }

    /// The label files of a split, parsed from their names (not opened).
    public func labels(_ split: Split) throws -> (records: [LabelRecord], skipped: [SkippedFile]) {
        try parse(folder: split.labelFolder, expected: "label files named {image stem}_{surveyID}.json") {
            try LabelRecord(fileName: $0)
        }
    }

    private func parse<R>(folder: String, expected: String, _ make: (String) throws -> R) throws -> (records: [R], skipped: [SkippedFile]) {
        let url = root.appendingPathComponent(folder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError.missingFolder(path: url.path, expected: expected)
        }
        var records: [R] = [], skipped: [SkippedFile] = []
        for name in try DirectoryListing.fileNames(in: url) {
            do { records.append(try make(name)) } catch let error as NameError {
                skipped.append(SkippedFile(path: "\(folder)/\(name)", reason: error.reason))
            }
        }
        return (records, skipped)
    }
}
