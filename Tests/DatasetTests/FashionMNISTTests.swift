import Foundation
import Testing
@testable import Dataset

@Suite struct FashionMNISTTests {
    @Test func parsesIDXBytes() throws {
        let bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 7, 8, 9, 10]
        let f = try IDXFile(data: bytes)
        #expect(f.dimensions == [2, 1, 2] && f.bytes == [7, 8, 9, 10])
    }

    @Test func rejectsMalformedIDX() {
        #expect(throws: IDXError.self) { try IDXFile(data: [0, 0, 8]) }
        #expect(throws: IDXError.self) { try IDXFile(data: [1, 0, 8, 1, 0, 0, 0, 1, 5]) }
        #expect(throws: IDXError.self) { try IDXFile(data: [0, 0, 0x0D, 1, 0, 0, 0, 1, 5, 5, 5, 5]) }
        #expect(throws: IDXError.malformed(path: "<memory>", reason: "1 data bytes for dimensions [2] (2 expected)")) {
            try IDXFile(data: [0, 0, 8, 1, 0, 0, 0, 2, 5])
        }
        #expect(throws: IDXError.missing(path: "/nonexistent/x.gz")) { try IDXFile(path: "/nonexistent/x.gz") }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func loadsDebianPackage() throws {
        let test = try FashionMNIST(split: .test)
        #expect(test.count == 10_000 && test.rows == 28 && test.columns == 28)
        #expect(Set(test.labels) == Set(0..<10))
        #expect(test.labels.filter { $0 == 0 }.count == 1000)   // balanced classes
        let b = test.batch([0, 1])
        #expect(b.shape == [2, 1, 28, 28] && b.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
