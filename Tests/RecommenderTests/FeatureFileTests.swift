import TestSupport
import Foundation
import Testing
@testable import Recommender

@Suite struct FeatureFileTests {
    static func folder() -> URL {
        let url = TemporaryFolder.name("features")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let sample = try! FeatureStore(stems: ["W_00001_50_ivy_M", "T_00001_90_hiphop_M", "W_00002_19_normcore_W"],
                                          values: [1, 0, 2.5, 0, 3, 1e-7, -4, 0.125, 0], dimension: 3)

    @Test func storeNormalisesRowsAndKeepsZeroRows() throws {
        let s = try FeatureStore(stems: ["a", "b", "c"], values: [3, 4, 0, 0, 0, 0, 1, 1, 1], dimension: 3)
        #expect(s.normalized[0] == 0.6 && s.normalized[1] == 0.8)
        #expect(s.normalized[3...5].allSatisfy { $0 == 0 }, "a zero vector stays zero, as sklearn's normalize")
        #expect(abs(s.similarity(0, 2) - 7 / (5 * Float(3).squareRoot())) < 1e-6)
        let m = s.similarityMatrix()
        for i in 0..<3 { for j in 0..<3 { #expect(abs(m[i * 3 + j] - s.similarity(i, j)) < 1e-6) } }
        #expect(s.median == [1, 1, 0])
    }

    @Test(arguments: ["f.csv", "f.safetensors"])
    func roundTripsBitExactly(_ name: String) throws {
        let url = Self.folder().appendingPathComponent(name)
        try FeatureFile.write(Self.sample, to: url)
        let back = try FeatureFile.read(contentsOf: url)
        #expect(back.stems == Self.sample.stems && back.raw == Self.sample.raw && back.dimension == 3)
    }

    /// A file keyed by the photos' own names — `hippee` as on disk, `.jpg`, a path, as a PyTorch
    /// script keyed by file name writes them — matches the canonical stems the answers use.
    @Test(arguments: ["f.csv", "f.safetensors"])
    func onDiskSpellingsMatchTheCanonicalStem(_ name: String) throws {
        let spelled = try FeatureStore(stems: ["T_01596_70_hippee_M", "validation_image/W_00002_19_normcore_W.JPG", "test/17"],
                                       values: [1, 2, 3, 4, 5, 6], dimension: 2)
        let url = Self.folder().appendingPathComponent(name)
        try FeatureFile.write(spelled, to: url)
        let back = try FeatureFile.read(contentsOf: url)
        #expect(back.stems == ["T_01596_70_hippie_M", "W_00002_19_normcore_W", "test/17"])
        #expect(back.row(of: "T_01596_70_hippie_M") == 0 && back.raw == spelled.raw)
        #expect(FeatureExtractor.stem(of: "T_01596_70_hippee_M") == "T_01596_70_hippie_M")
    }

    @Test func twoSpellingsOfOnePhotoAreRefusedNamingBothRows() {
        let text = "stem,f0\nT_01596_70_hippie_M,1\nW_00001_50_ivy_M,2\nT_01596_70_hippee_M,3\n"
        #expect { try FeatureFile.parseCSV(Data(text.utf8), path: "x.csv") } throws: { error in
            let e = error as? FeatureFileError
            return e?.line == 4 && e?.description.contains("T_01596_70_hippee_M and T_01596_70_hippie_M (row 2) name the same photo") == true
        }
    }

    @Test func csvAcceptsJpgNamesQuotesCRLFAndATrailingBlankLine() throws {
        let text = "stem,f0,f1\r\n\"W_1_50_ivy_M.jpg\",1.5, 2\r\nT_2_50_ivy_M,-3e-2,4\r\n\r\n"
        let s = try FeatureFile.parseCSV(Data(text.utf8), path: "x.csv")
        #expect(s.stems == ["W_1_50_ivy_M", "T_2_50_ivy_M"])
        #expect(s.raw == [1.5, 2, -0.03, 4])
    }

    @Test(arguments: [
        ("id,f0\na,1\n", "x.csv:1: header must start with stem,f0"),
        ("stem,f0,f2\na,1,2\n", "x.csv:1: header column 3 is \"f2\", expected f1"),
        ("stem,f0,f1\na,1\n", "x.csv:2: a: 1 values, expected 2"),
        ("stem,f0,f1\na,1,2,3\n", "x.csv:2: a: more than 2 values"),
        ("stem,f0,f1\na,1,nan\n", "x.csv:2: a: f1 is nan"),
        ("stem,f0,f1\na,1,x\n", "x.csv:2: a: f1 = \"x\" is not a number"),
        ("stem,f0,f1\na,1,\n", "x.csv:2: a: f1 = \"\" is not a number"),
        ("stem,f0,f1\na,1,2\nb,3,4\na,5,6\n", "x.csv:4: stem a repeats row 2"),
        ("stem,f0\n", "x.csv: no rows after the header"),
        ("", "x.csv: empty file"),
    ])
    func badCSVNamesFileAndLine(_ text: String, _ message: String) {
        do {
            _ = try FeatureFile.parseCSV(Data(text.utf8), path: "x.csv")
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    @Test func badFilesAreNamed() throws {
        let dir = Self.folder()
        #expect(throws: FeatureFileError.self) { try FeatureFile.read(contentsOf: dir.appendingPathComponent("missing.csv")) }
        #expect(throws: FeatureFileError.self) { try FeatureFile.read(contentsOf: dir.appendingPathComponent("f.npy")) }
        let dirAsFile = dir.appendingPathComponent("d.csv")
        try FileManager.default.createDirectory(at: dirAsFile, withIntermediateDirectories: true)
        do { _ = try FeatureFile.read(contentsOf: dirAsFile); Issue.record("read a directory") } catch {
            #expect("\(error)".contains("a directory, not a regular file"))
        }
        let garbage = dir.appendingPathComponent("g.safetensors")
        try Data("not safetensors".utf8).write(to: garbage)
        do { _ = try FeatureFile.read(contentsOf: garbage); Issue.record("read garbage") } catch {
            #expect("\(error)".contains(garbage.path))
        }
    }
}
