import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Several files that are one output (`features.csv` beside `features.safetensors`; a
/// recommendation's metrics, scores and ROC), committed together so that a reader never meets
/// half old, half new: each file is first written whole as `.NAME.pending`; a commit record
/// `.SET.commit` listing them is then renamed into place — the one step that commits; the
/// pending files are then renamed over the old ones and the record removed.
///
/// A process killed before the commit leaves the old files as they were (its pending files are
/// discarded by the next writer); one killed after it leaves a record from which
/// ``settle(in:discardUncommitted:)`` finishes the renames — which every writer does first and
/// every reader of this project does before reading.
///
/// ```swift
/// var set = OutputSet(folder: out, name: "features")
/// try set.add("features.csv") { try AtomicFile.write(csv, to: $0) }
/// try set.add("features.safetensors") { try AtomicFile.write(tensors, to: $0) }
/// try set.commit()
/// ```
public struct OutputSet {
    /// The folder the files go into.
    public let folder: URL
    /// Names the commit record (`.NAME.commit`).
    public let name: String
    private var files: [String] = []

    /// A set of files for `folder`; settles what an earlier writer left first (call it holding
    /// the folder's ``FolderLock``).
    public init(folder: URL, name: String) {
        self.folder = folder; self.name = name
        Self.settle(in: folder, discardUncommitted: true)
    }

    /// Where `file`'s new content is written before the commit.
    public func pendingURL(_ file: String) -> URL { folder.appendingPathComponent(".\(file)\(Self.pendingSuffix)") }

    /// Writes `file` through `write`, which is given the pending path to write whole.
    public mutating func add(_ file: String, _ write: (URL) throws -> Void) throws {
        try write(pendingURL(file))
        files.append(file)
    }

    /// Commits every file added: the record first, then the renames.
    public func commit() throws {
        let record = folder.appendingPathComponent(".\(name)\(Self.commitSuffix)")
        try AtomicFile.write(Data(files.joined(separator: "\n").utf8), to: record)
        Self.rollForward(record)
    }

    static let pendingSuffix = ".pending"
    static let commitSuffix = ".commit"

    /// Finishes every committed set in `folder` (renames its pending files into place) and,
    /// with `discardUncommitted` — only for a writer holding the folder — removes pending files
    /// no commit lists. Safe to call at any time for the first part: renaming is idempotent.
    public static func settle(in folder: URL, discardUncommitted: Bool = false) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for record in names where record.hasPrefix(".") && record.hasSuffix(commitSuffix) {
            rollForward(folder.appendingPathComponent(record))
        }
        guard discardUncommitted else { return }
        for pending in names where pending.hasPrefix(".") && pending.hasSuffix(pendingSuffix) {
            unlink(folder.appendingPathComponent(pending).path)
        }
    }

    static func rollForward(_ record: URL) {
        guard let data = try? ReadableFile.read(record, limit: 1 << 20, what: "a commit record") else { return }
        let folder = record.deletingLastPathComponent()
        for file in String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init) where !file.contains("/") {
            let pending = folder.appendingPathComponent(".\(file)\(pendingSuffix)")
            if rename(pending.path, folder.appendingPathComponent(file).path) != 0 && errno != ENOENT { return }
        }
        unlink(record.path)
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}
