import TestSupport
import Foundation
import Vision
@testable import Dataset

/// A throw-away K-Fashion tree in the real layout, built file by file.
struct TestTree {
    let root: URL

    init() throws {
        root = TemporaryFolder.name("kfashion")
        for split in Split.allCases {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(split.imageFolder), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: root.appendingPathComponent(split.labelFolder), withIntermediateDirectories: true)
        }
    }

    /// A whole 2×2 JPEG: what counts as a photo (``PhotoCheck``).
    static let jpeg: Data = try! Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 250, count: 12)).jpegData(quality: 90)

    func image(_ name: String, _ split: Split = .training) throws {
        try Self.jpeg.write(to: root.appendingPathComponent(split.imageFolder).appendingPathComponent(name))
    }

    func label(_ name: String, _ split: Split = .training, respondent: Int, q5: Int) throws {
        let stem = String(name.dropLast(5))
        let image = stem.split(separator: "_").dropLast().joined(separator: "_") + ".jpg"
        let json = """
        {"E_id": 1, "imgName": "\(image)", "item": {"imgName": "\(image)", "era": 2019, "style": "x", "gender": "W",
         "survey": {"Q1": 3, "Q2": 1, "Q3": 5, "Q411": 1, "Q5": \(q5)}}, "user": {"R_id": \(respondent), "r_gender": 1}}
        """
        try raw(name, split, json)
    }

    func raw(_ name: String, _ split: Split, _ text: String) throws {
        try Data(text.utf8).write(to: root.appendingPathComponent(split.labelFolder).appendingPathComponent(name))
    }

    var tree: KFashionTree { get throws { try KFashionTree(root: root) } }
}
