import Foundation
import FashionBase

/// A file left out of a result, with the reason; reports list these instead of failing.
public struct SkippedFile: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Path relative to the data root (`training_label/x.json`) or as given.
    public let path: String
    /// Why it was left out.
    public let reason: String

    /// A file at `path` left out for `reason`.
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }

    /// The `file,reason` table (header first, one row per file, sorted by path and unique):
    /// what every command writes as `skipped.csv` beside its outputs.
    public static func csv(_ files: [SkippedFile]) -> String {
        TextTable.csvLine(["file", "reason"]) + Set(files).sorted { ($0.path, $0.reason) < ($1.path, $1.reason) }
            .map { TextTable.csvLine([$0.path, $0.reason]) }.joined()
    }

    /// Writes ``csv(_:)`` to `url` atomically (also when nothing was skipped, so a reader knows
    /// the run checked).
    public static func write(_ files: [SkippedFile], to url: URL) throws {
        try AtomicFile.write(Data(csv(files).utf8), to: url)
    }

    /// One line per reason with its count and one example, for a terminal.
    public static func summary(_ files: [SkippedFile], limit: Int = 8) -> String {
        guard !files.isEmpty else { return "" }
        var counts: [String: Int] = [:], example: [String: SkippedFile] = [:]
        for s in files {
            counts[s.reason, default: 0] += 1
            if example[s.reason] == nil { example[s.reason] = s }
        }
        var note = "skipped \(files.count) file\(files.count == 1 ? "" : "s"):\n"
        for (reason, n) in counts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(limit) {
            note += "  \(n) × \(reason)" + (n == 1 ? " (\(example[reason]?.path ?? ""))" : ", e.g. \(example[reason]?.path ?? "")") + "\n"
        }
        if counts.count > limit { note += "  … and \(counts.count - limit) more reasons\n" }
        return note
    }
}
