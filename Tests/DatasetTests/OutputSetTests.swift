import Foundation
import FashionBase
import Testing
import TestSupport

/// Several files written as one output (``OutputSet``): whatever instant a writer is killed at,
/// a reader finds all the old files or all the new ones, never a mix; the next writer cleans up.
@Suite struct OutputSetTests {
    static func text(_ folder: URL, _ name: String) -> String? {
        (try? Data(contentsOf: folder.appendingPathComponent(name))).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Writes a and b holding `content`, stopping after `steps` of the commit's file operations
    /// (pending a, pending b, the record, rename a, rename b, the record's removal): the state a
    /// kill at that instant leaves.
    static func write(_ content: String, in folder: URL, stoppingAfter steps: Int) throws {
        var set = OutputSet(folder: folder, name: "pair")
        var done = 0
        for file in ["a", "b"] where done < steps {
            try set.add(file) { try AtomicFile.write(Data(content.utf8), to: $0) }
            done += 1
        }
        guard done == 2 else { return }
        if steps >= 6 { try set.commit(); return }
        guard steps >= 3 else { return }
        try AtomicFile.write(Data("a\nb".utf8), to: folder.appendingPathComponent(".pair.commit"))
        for file in ["a", "b"].prefix(steps - 3) {
            #expect(rename(set.pendingURL(file).path, folder.appendingPathComponent(file).path) == 0)
        }
    }

    @Test func aReaderSeesAllOldOrAllNew() throws {
        for steps in 0...6 {
            let folder = TemporaryFolder.name("outputset")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.write("old", in: folder, stoppingAfter: 6)
            #expect(Self.text(folder, "a") == "old" && Self.text(folder, "b") == "old")
            try Self.write("new", in: folder, stoppingAfter: steps)
            OutputSet.settle(in: folder)   // what a reader does first
            let pair = (Self.text(folder, "a"), Self.text(folder, "b"))
            let expected = steps >= 3 ? "new" : "old"   // the record is the commit
            #expect(pair.0 == expected && pair.1 == expected, "killed after step \(steps): a \(pair.0 ?? "–"), b \(pair.1 ?? "–")")
            // The next writer leaves nothing behind.
            _ = OutputSet(folder: folder, name: "pair")
            let hidden = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
            #expect(hidden.isEmpty, "left behind after step \(steps): \(hidden)")
        }
    }
}
