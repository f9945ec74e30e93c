import TestSupport
import Foundation
import Testing
import Vision
@testable import Dataset

/// One rule for what counts as a photo or a label: every command's counts on a tree with
/// broken files mixed in equal those on the same tree without them, each broken file named once.
@Suite struct WhatCountsTests {
    static func folder() throws -> URL {
        let url = TemporaryFolder.name("check")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func photoCheckNamesEachProblem() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = TestTree.jpeg
        func check(_ bytes: Data) throws -> String? {
            let url = dir.appendingPathComponent("p-\(UUID().uuidString).jpg")
            try bytes.write(to: url)
            return PhotoCheck.problem(at: url)
        }
        #expect(try check(good) == nil)
        #expect(try check(Data()) == "empty file")
        #expect(try check(good.prefix(good.count - 2))?.contains("premature end of data") == true)
        #expect(try check(good.prefix(good.count - 10))?.contains("truncated") == true)
        #expect(try check(good.prefix(20))?.contains("truncated") == true)
        let png = try Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 9, count: 12)).pngData()
        #expect(try check(png) == "PNG data, not JPEG")
        #expect(try check(Data("hello".utf8))?.hasPrefix("not a JPEG") == true)
        // A header that declares 65,500 × 65,500 pixels is refused before any decode.
        var huge = [UInt8](good)
        if let sof = (2..<(huge.count - 9)).first(where: { huge[$0] == 0xFF && (huge[$0 + 1] == 0xC0 || huge[$0 + 1] == 0xC2) }) {
            huge[sof + 5] = 0xFF; huge[sof + 6] = 0xDC; huge[sof + 7] = 0xFF; huge[sof + 8] = 0xDC
        }
        #expect(try check(Data(huge))?.contains("65500×65500") == true)
        // Not regular files: a FIFO, a folder named .jpg, a symbolic-link loop.
        let fifo = dir.appendingPathComponent("fifo.jpg")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        #expect(PhotoCheck.problem(at: fifo) == "not a regular file")
        let folder = dir.appendingPathComponent("d.jpg")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(PhotoCheck.problem(at: folder) == "not a regular file")
        let loop = dir.appendingPathComponent("loop.jpg")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: loop.path)
        #expect(PhotoCheck.problem(at: loop)?.contains("symbolic links") == true)
    }

    /// One rule: the structural check refuses exactly the JPEGs the decoder cannot decode
    /// (12-bit samples, lossless frames, two frame headers) and the shapes preparation cannot
    /// pad (a 1 × 60,000 strip); what it passes decodes.
    @Test func photoCheckRefusesWhatTheDecoderRefuses() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = [UInt8](TestTree.jpeg)
        let sof = try #require((2..<(good.count - 9)).first { good[$0] == 0xFF && (good[$0 + 1] == 0xC0 || good[$0 + 1] == 0xC2) })
        let sofLength = Int(good[sof + 2]) << 8 | Int(good[sof + 3])
        var twelveBit = good; twelveBit[sof + 4] = 12
        var lossless = good; lossless[sof + 1] = 0xC3
        let twoFrames = Array(good[..<(sof + 2 + sofLength)]) + Array(good[sof..<(sof + 2 + sofLength)]) + Array(good[(sof + 2 + sofLength)...])
        var strip = good; strip[sof + 5] = 0; strip[sof + 6] = 1; strip[sof + 7] = 0xEA; strip[sof + 8] = 0x60   // 60,000 × 1
        for (name, bytes, expected) in [("12-bit", twelveBit, "12-bit samples"), ("lossless", lossless, "lossless JPEG"),
                                        ("two frames", twoFrames, "two frame headers"), ("1 × 60,000", strip, "aspect ratio 60000×1")] {
            let url = dir.appendingPathComponent("\(name).jpg")
            try Data(bytes).write(to: url)
            let problem = PhotoCheck.problem(at: url)
            #expect(problem?.contains(expected) == true, "\(name): \(problem ?? "accepted")")
            // The decoder (or, for the strip, the preparation's bound) refuses it too.
            #expect(throws: (any Error).self, "\(name) decodes: the check would refuse a usable photo") {
                _ = try PhotoPreparer(size: 32).prepare(contentsOf: url)
            }
        }
        let url = dir.appendingPathComponent("good.jpg")
        try Data(good).write(to: url)
        #expect(PhotoCheck.problem(at: url) == nil)
        _ = try PhotoPreparer(size: 32).prepare(contentsOf: url)
        #expect(PhotoLimits.problem(width: 1, height: 20) == nil && PhotoLimits.problem(width: 1, height: 21) != nil)
        #expect(PhotoLimits.problem(width: 10_000, height: 9_000) == nil && PhotoLimits.problem(width: 10_001, height: 9_000) != nil)
    }

    /// The new user's tree: good photos and labels, then broken ones mixed in.
    @Test func brokenFilesChangeNoCount() throws {
        func build(broken: Bool) throws -> (ImageStatistics, LabelStatistics, PreferenceTable, TestTree) {
            let t = try TestTree()
            for i in 1...4 { try t.image("W_0000\(i)_19_punk_W.jpg") }
            try t.image("T_00005_90_hiphop_M.jpg", .validation)
            try t.label("W_00001_19_punk_W_000001.json", respondent: 7, q5: 2)
            try t.label("W_00002_19_punk_W_000002.json", respondent: 7, q5: 1)
            try t.label("W_00003_19_punk_W_000003.json", respondent: 8, q5: 2)
            try t.label("T_00005_90_hiphop_M_000004.json", .validation, respondent: 8, q5: 1)
            if broken {
                let folder = t.root.appendingPathComponent("training_image")
                try Data().write(to: folder.appendingPathComponent("W_00010_19_punk_W.jpg"))
                try TestTree.jpeg.prefix(TestTree.jpeg.count / 2).write(to: folder.appendingPathComponent("W_00011_19_punk_W.jpg"))
                try Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 9, count: 12)).pngData()
                    .write(to: folder.appendingPathComponent("W_00012_19_punk_W.jpg"))
                // Labels of broken photos, labels that are not answers, a 5-digit survey id.
                try t.label("W_00010_19_punk_W_000010.json", respondent: 9, q5: 2)
                try t.label("W_00012_19_punk_W_000012.json", respondent: 9, q5: 2)
                try t.raw("W_00004_19_punk_W_000013.json", .training, "not json")
                try t.raw("W_00004_19_punk_W_000014.json", .training, "{\"item\": {\"survey\": {}}, \"user\": {\"R_id\": 9}}")
                try t.raw("W_00004_19_punk_W_000015.json", .training, "{\"item\": {\"survey\": {\"Q5\": 3}}, \"user\": {\"R_id\": 9}}")
                try t.label("W_00004_19_punk_W_00016.json", respondent: 9, q5: 2)
            }
            let tree = try t.tree
            let images = try ImageStatistics(tree: tree)
            let labels = try LabelStatistics(tree: tree, images: images)
            return (images, labels, PreferenceTable(tree: tree, labels: labels), t)
        }
        let (cleanImages, cleanLabels, cleanTable, cleanTree) = try build(broken: false)
        let (images, labels, table, brokenTree) = try build(broken: true)
        defer { try? FileManager.default.removeItem(at: cleanTree.root); try? FileManager.default.removeItem(at: brokenTree.root) }
        #expect(images.training == cleanImages.training && images.validation == cleanImages.validation)
        #expect(labels.valid[.training] == cleanLabels.valid[.training] && labels.valid[.validation] == cleanLabels.valid[.validation])
        #expect(labels.valid[.training]?.count == labels.answers[.training]?.count)
        #expect(table.answers == cleanTable.answers && table.respondents.map(\.respondent) == [7, 8])
        // Each broken file named once, with its reason.
        let paths = table.skipped.map(\.path)
        #expect(Set(paths).count == paths.count, "\(paths)")
        #expect(paths.filter { $0.hasPrefix("training_image/") } == ["training_image/W_00010_19_punk_W.jpg", "training_image/W_00011_19_punk_W.jpg",
                                                                      "training_image/W_00012_19_punk_W.jpg"])
        for name in ["000013", "000014", "000015", "00016"] { #expect(paths.contains { $0.hasSuffix("_\(name).json") }, "\(name)") }
        #expect(!paths.contains { $0.contains("000010") || $0.contains("000012") })   // their photo does not count: not a label, not an error
        // Mission 2-1's report counts what 2-2 uses.
        #expect(labels.report.totals.first { $0.name == "training valid labels" }?.value == 3)
    }
}
