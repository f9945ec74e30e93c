import TestSupport
import Foundation
import Testing
import Tensor
import Vision
@testable import Dataset

@Suite struct PreparedSetTests {
    /// A generated tree of about 60 small photos in a fresh temporary folder.
    static func smallTree(_ name: String) throws -> URL {
        let root = TemporaryFolder.name(name)
        var options = KFashionGenerator.Options()
        options.scale = 0.005; options.imageWidth = 48; options.respondents = 10; options.orphanLabels = 0
        _ = try KFashionGenerator(options: options).generate(into: root)
        return root
    }

    @Test func preparesBothSplitsReportsDamageAndReusesOnReRun() throws {
        let root = TemporaryFolder.name("prep-tree")
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

    /// `--background masks`: a photo without its mask is skipped with the mask's path in the reason.
    @Test func aMissingMaskIsBlamedOnTheMask() throws {
        let root = try Self.smallTree("prep-masks")
        let names = try DirectoryListing.fileNames(in: root.appendingPathComponent("training_image"))
        let masks = root.appendingPathComponent("masks")
        try FileManager.default.createDirectory(at: masks, withIntermediateDirectories: true)
        // Every photo of both splits gets a mask but the first training photo.
        for split in Split.allCases {
            for name in try DirectoryListing.fileNames(in: root.appendingPathComponent(split.imageFolder)) where name != names[0] {
                let photo = try Image(contentsOf: root.appendingPathComponent(split.imageFolder).appendingPathComponent(name))
                let mask = Image(width: photo.width, height: photo.height, channels: 1,
                                 pixels: [UInt8](repeating: 255, count: photo.width * photo.height))
                try mask.write(to: masks.appendingPathComponent((name as NSString).deletingPathExtension + ".png"))
            }
        }
        let out = root.appendingPathComponent("prepared")
        let summary = try PreparedSet(tree: try KFashionTree(root: root), output: out,
                                      preparer: PhotoPreparer(size: 24, background: .externalMasks(masks))).run()
        #expect(summary.skipped.count == 1)
        let skipped = try #require(summary.skipped.first)
        #expect(skipped.path == "training_image/\(names[0])")
        let maskPath = masks.appendingPathComponent((names[0] as NSString).deletingPathExtension + ".png").path
        #expect(skipped.reason.hasPrefix("mask \(maskPath): "), "\(skipped.reason)")
        let csv = try String(contentsOf: out.appendingPathComponent("skipped.csv"), encoding: .utf8)
        #expect(csv == SkippedFile.csv(summary.skipped))
    }

    @Test func skippedCSVIsSortedUniqueAndQuoted() {
        let files = [SkippedFile(path: "b.jpg", reason: "empty"), SkippedFile(path: "a, b.json", reason: "no \"Q5\""),
                     SkippedFile(path: "b.jpg", reason: "empty")]
        #expect(SkippedFile.csv(files) == "file,reason\n\"a, b.json\",\"no \"\"Q5\"\"\"\nb.jpg,empty\n")
        #expect(SkippedFile.csv([]) == "file,reason\n")
        let summary = SkippedFile.summary(files)
        #expect(summary.hasPrefix("skipped 3 files:\n") && summary.contains("2 × empty, e.g. b.jpg"))
    }

    /// A run killed part-way: its journal's whole rows are reused, a torn last row is not.
    @Test func aKilledRunsJournalIsReusedUpToItsTornRow() throws {
        let root = try Self.smallTree("prep-journal")
        let out = root.appendingPathComponent("prepared")
        let set = PreparedSet(tree: try KFashionTree(root: root), output: out, preparer: PhotoPreparer(size: 24))
        let first = try set.run()
        let manifestURL = out.appendingPathComponent("manifest.csv")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        let normalization = try Data(contentsOf: out.appendingPathComponent("normalization.json"))
        // As if killed before the manifest: the journal holds every row, the last one cut short.
        var rows = manifest.split(separator: "\n").dropFirst().map { $0 + "\n" }
        rows[rows.count - 1] = rows[rows.count - 1].dropLast(9)
        try FileManager.default.removeItem(at: manifestURL)
        try Data(rows.joined().utf8).write(to: out.appendingPathComponent(PreparedSet.journalName))
        try Data("half".utf8).write(to: out.appendingPathComponent("training_image/.x.jpg\(AtomicFile.partialMarker)1"))
        let second = try set.run()
        #expect(second.reused == first.prepared - 1 && second.prepared == 1)
        #expect(try String(contentsOf: manifestURL, encoding: .utf8) == manifest)
        #expect(try Data(contentsOf: out.appendingPathComponent("normalization.json")) == normalization)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(PreparedSet.journalName).path))
        #expect(try DirectoryListing.fileNames(in: out.appendingPathComponent("training_image")).allSatisfy { !$0.contains("partial") })
    }

    /// A prepared folder knows the tree it came from: handed another tree's folder, a command
    /// sees it (not silently using its photos); preparing again removes the photos that are no
    /// longer in the source, and the training cache takes only what the manifest vouches for.
    @Test func aFolderOfAnotherTreeIsSeenAndBroughtUpToDate() throws {
        let a = try Self.smallTree("prep-a"), b = TemporaryFolder.name("prep-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        var options = KFashionGenerator.Options()
        options.scale = 0.005; options.imageWidth = 48; options.respondents = 10; options.orphanLabels = 0; options.seed = 7
        _ = try KFashionGenerator(options: options).generate(into: b)
        let out = a.appendingPathComponent("prepared")
        let setA = PreparedSet(tree: try KFashionTree(root: a), output: out, preparer: PhotoPreparer(size: 24))
        #expect(try setA.mismatches() == [.missing])
        _ = try setA.run()
        #expect(try setA.mismatches().isEmpty)
        #expect(try PreparedSet(tree: try KFashionTree(root: a), output: out, preparer: PhotoPreparer(size: 32)).mismatches() == [.otherSize(24)])

        let setB = PreparedSet(tree: try KFashionTree(root: b), output: out, preparer: PhotoPreparer(size: 24))
        let found = try setB.mismatches()
        #expect(found.count == 1 && found.first?.isAboutTheData == true && "\(found[0])".contains(a.lastPathComponent))
        let namesA = Set(try DirectoryListing.fileNames(in: a.appendingPathComponent("training_image")))
        let namesB = Set(try DirectoryListing.fileNames(in: b.appendingPathComponent("training_image")))
        #expect(namesA != namesB, "the two trees need different photos for this test")
        let summary = try setB.run()
        #expect(summary.removed == namesA.subtracting(namesB).count + (try Set(DirectoryListing.fileNames(in: a.appendingPathComponent("validation_image"))))
                    .subtracting(try DirectoryListing.fileNames(in: b.appendingPathComponent("validation_image"))).count)
        #expect(Set(try DirectoryListing.fileNames(in: out.appendingPathComponent("training_image"))) == namesB)
        #expect(try setB.mismatches().isEmpty && (try setA.mismatches()).count == 1)

        // A photo of the tree edited since: seen.
        let photo = b.appendingPathComponent("training_image").appendingPathComponent(namesB.sorted()[0])
        var attributes = try FileManager.default.attributesOfItem(atPath: photo.path)
        attributes[.modificationDate] = Date(timeIntervalSince1970: 1_000_000)
        try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate]!], ofItemAtPath: photo.path)
        #expect(try setB.mismatches() == [.changedPhotos])

        // A stray photo dropped into the prepared folder is not data.
        let stray = out.appendingPathComponent("training_image").appendingPathComponent("W_99990_19_punk_W.jpg")
        try FileManager.default.copyItem(at: out.appendingPathComponent("training_image").appendingPathComponent(namesB.sorted()[1]), to: stray)
        let encoder = LabelEncoder(fitting: (namesB.union(["W_99990_19_punk_W.jpg"])).compactMap { try? ImageRecord(fileName: $0).key.className })
        let (cache, skipped) = try KFashionData.cache(prepared: out, split: .training, size: 24, encoder: encoder)
        #expect(!cache.header.names.contains("W_99990_19_punk_W.jpg"))
        #expect(skipped.contains { $0.path.hasSuffix("W_99990_19_punk_W.jpg") && $0.reason.contains("manifest.csv") })
    }
}
