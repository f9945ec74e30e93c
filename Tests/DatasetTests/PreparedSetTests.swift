import Foundation
import Testing
import Vision
@testable import Dataset

@Suite struct PreparedSetTests {
    @Test func preparesBothSplitsReportsDamageAndReusesOnReRun() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("prep-tree-\(UUID().uuidString)")
        var options = KFashionGenerator.Options()
        options.scale = 0.01; options.imageWidth = 60; options.respondents = 10; options.orphanLabels = 0
        let summary = try KFashionGenerator(options: options).generate(into: root)
        // A damaged photo and a zero-byte one among the good ones.
        let images = root.appendingPathComponent("training_image")
        let good = try DirectoryListing.fileNames(in: images)[0]
        let bytes = try Data(contentsOf: images.appendingPathComponent(good))
        try bytes.prefix(bytes.count / 2).write(to: images.appendingPathComponent("W_99999_19_punk_W.jpg"))
        try Data().write(to: images.appendingPathComponent("W_99998_19_punk_W.jpg"))

        let out = root.appendingPathComponent("prepared")
        let set = PreparedSet(tree: try KFashionTree(root: root), output: out, preparer: PhotoPreparer(size: 32))
        let first = try set.run()
        let total = summary.trainingImages + summary.validationImages
        #expect(first.prepared == total && first.reused == 0)
        #expect(first.skipped.map(\.path) == ["training_image/W_99998_19_punk_W.jpg", "training_image/W_99999_19_punk_W.jpg"])
        #expect(first.skipped[0].reason.contains("empty"))
        #expect(first.skipped[1].reason.contains("truncated"))
        let prepared = try Image(contentsOf: out.appendingPathComponent("training_image").appendingPathComponent(good))
        #expect(prepared.width == 32 && prepared.height == 32)
        let shares = try String(contentsOf: out.appendingPathComponent("white_share.csv"), encoding: .utf8)
        #expect(shares.hasPrefix("split,file,white_share,flagged\n"))
        #expect(shares.split(separator: "\n").count == total + 1)
        let normalization = try JSONDecoder().decode(PreparedSet.NormalizationFile.self,
                                                     from: Data(contentsOf: out.appendingPathComponent("normalization.json")))
        #expect(normalization.images == summary.trainingImages && normalization.mean.allSatisfy { $0 > 0.6 && $0 < 1 })
        let skippedCSV = try String(contentsOf: out.appendingPathComponent("skipped.csv"), encoding: .utf8)
        #expect(skippedCSV.contains("W_99999_19_punk_W.jpg"))

        // A re-run reuses everything; deleting one output re-prepares just that photo.
        let second = try set.run()
        #expect(second.prepared == 0 && second.reused == total)
        #expect(second.normalization == first.normalization)
        try FileManager.default.removeItem(at: out.appendingPathComponent("training_image").appendingPathComponent(good))
        let third = try set.run()
        #expect(third.prepared == 1 && third.reused == total - 1)
        // An output cut short (a kill while it was written elsewhere), an edited source, other options: prepared again.
        let outputs = try DirectoryListing.fileNames(in: out.appendingPathComponent("training_image"))
        let cut = out.appendingPathComponent("training_image").appendingPathComponent(outputs[1])
        let cutBytes = try Data(contentsOf: cut)
        try cutBytes.prefix(cutBytes.count / 2).write(to: cut)
        let edited = images.appendingPathComponent(outputs[2])
        let source = try Data(contentsOf: edited)
        try FileManager.default.removeItem(at: edited)
        try source.write(to: edited)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: edited.path)
        let fourth = try set.run()
        #expect(fourth.prepared == 2 && fourth.reused == total - 2)
        #expect(PhotoCheck.problem(at: cut) == nil)
        var other = PhotoPreparer(size: 32)
        other.margin = 0.1
        let fifth = try PreparedSet(tree: try KFashionTree(root: root), output: out, preparer: other).run()
        #expect(fifth.prepared == total && fifth.reused == 0)
    }
}
