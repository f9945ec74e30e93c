import TestSupport
import Foundation
import Testing
import Vision
@testable import Dataset

@Suite(.serialized) struct GeneratorTests {
    static let root: URL = {
        let url = TemporaryFolder.name("kfashion-synth")
        var options = KFashionGenerator.Options()
        options.imageWidth = 24
        options.respondents = 300
        options.orphanLabels = 500
        _ = try! KFashionGenerator(options: options).generate(into: url)
        return url
    }()

    @Test func scaleOneReproducesTheSeedsTables() throws {
        let stats = try ImageStatistics(tree: KFashionTree(root: Self.root))
        #expect(stats.skipped.isEmpty)
        let rows = stats.report.rows
        for split in Split.allCases {
            var got: [String: Int] = [:]
            for row in rows where row.split == split.rawValue { got["\(row.style)_\(row.gender)"] = row.count }
            #expect(got == SeedClassCounts.counts(split), "\(split)")
        }
        #expect(stats.training.count == 4070 && stats.validation.count == 951)
        // The seed's own order for the first training rows (ascending within W).
        #expect(rows.prefix(4).map(\.style) == ["grunge", "military", "disco", "space"])
    }

    @Test func hasTheRealSetsQuirks() throws {
        let stats = try ImageStatistics(tree: KFashionTree(root: Self.root))
        let all = stats.training + stats.validation
        #expect(all.contains { $0.fileName.contains("_hippee_") })
        #expect(all.contains { $0.key.prefix == "T" })
        let wIDs = Set(all.filter { $0.key.prefix == "W" }.map(\.key.id))
        #expect(all.contains { $0.key.prefix == "T" && wIDs.contains($0.key.id) }, "no T_ id collides with a W_ id")
        #expect(Set(all.map(\.key)).count == all.count)
    }

    @Test func labelsJoinAndOneContradictionIsFound() throws {
        let tree = try KFashionTree(root: Self.root)
        let labels = try LabelStatistics(tree: tree, images: ImageStatistics(tree: tree))
        let raw = (labels.rawCounts[.training] ?? 0) + (labels.rawCounts[.validation] ?? 0)
        let valid = (labels.valid[.training]?.count ?? 0) + (labels.valid[.validation]?.count ?? 0)
        #expect(raw - valid == 500, "orphan labels must all be rejected")
        let table = PreferenceTable(tree: tree, labels: labels)
        #expect(table.skipped.isEmpty)
        #expect(table.contradictions.count == 1)
        #expect(table.respondents.count == 300)
        #expect(table.answers.count == valid - 2)
        // Every respondent answered about both splits (mission 3-2 needs both).
        #expect(table.respondents.allSatisfy { $0.trainingLiked.count + $0.trainingDisliked.count > 0 &&
                                                 $0.validationLiked.count + $0.validationDisliked.count > 0 })
    }

    @Test func photosAreThreeByFourJpegsOnAPlainBackdrop() throws {
        let folder = Self.root.appendingPathComponent("training_image")
        let name = try #require(DirectoryListing.fileNames(in: folder).first)
        let image = try Image(contentsOf: folder.appendingPathComponent(name))
        #expect(image.width == 24 && image.height == 32 && image.channels == 3)
        // Corners are backdrop: light.
        let corner = Int(image.pixels[0]) + Int(image.pixels[1]) + Int(image.pixels[2])
        #expect(corner > 3 * 150)
    }

    /// `ROOT.truth.csv` beside the tree: one row a label file, probabilities in [0, 1], and the
    /// answers drawn from them: the Bayes rule's accuracy over the answers about photos of the
    /// set is its expectation, mean(max(p, 1 − p)), within four binomial standard deviations.
    @Test func truthFileGivesEachAnswersProbability() throws {
        let url = KFashionGenerator.truthFile(of: Self.root)
        #expect(url.lastPathComponent == Self.root.lastPathComponent + ".truth.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines.first?.joined(separator: ",") == "split,label_file,respondent,image,photo_exists,liked,probability")
        let rows = lines.dropFirst()
        let labelFiles = try Split.allCases.flatMap { try DirectoryListing.fileNames(in: Self.root.appendingPathComponent($0.labelFolder)) }
        #expect(Set(rows.map { String($0[1]) }) == Set(labelFiles) && rows.count == labelFiles.count)
        let answers = rows.filter { $0[4] == "true" }.map { (liked: $0[5] == "true", p: Double($0[6]) ?? -1) }
        #expect(answers.allSatisfy { (0...1).contains($0.p) })
        let n = Double(answers.count)
        let accuracy = Double(answers.filter { ($0.p > 0.5) == $0.liked }.count) / n
        let expected = answers.map { max($0.p, 1 - $0.p) }.reduce(0, +) / n
        #expect(abs(accuracy - expected) <= 4 * (expected * (1 - expected) / n).squareRoot() + 1 / n, "\(accuracy) vs \(expected) over \(n)")
        #expect(rows.filter { $0[4] == "false" }.allSatisfy { $0[6] == "0.500000" })
    }

    @Test func sameSeedSameFiles() throws {
        let other = TemporaryFolder.name("kfashion-synth")
        var options = KFashionGenerator.Options()
        options.imageWidth = 24; options.respondents = 300; options.orphanLabels = 500
        _ = try KFashionGenerator(options: options).generate(into: other)
        for folder in ["training_image", "validation_label"] {
            let a = try DirectoryListing.fileNames(in: Self.root.appendingPathComponent(folder))
            let b = try DirectoryListing.fileNames(in: other.appendingPathComponent(folder))
            #expect(a == b)
            for name in a.prefix(20) {
                #expect(FileManager.default.contents(atPath: Self.root.appendingPathComponent(folder).appendingPathComponent(name).path)
                        == FileManager.default.contents(atPath: other.appendingPathComponent(folder).appendingPathComponent(name).path))
            }
        }
        // A second set into the same folder is refused with what to do, not "cannot list folder".
        do {
            _ = try KFashionGenerator(options: options).generate(into: other)
            Issue.record("generated over an existing set")
        } catch let e as DatasetError {
            #expect(e == .occupiedFolder(path: other.appendingPathComponent("training_image").path,
                                         remedy: "the output folder holds a set already — pass --overwrite to replace it, or choose another folder"))
            #expect("\(e)".contains("--overwrite") && !"\(e)".contains("cannot list"))
        }
    }
}
