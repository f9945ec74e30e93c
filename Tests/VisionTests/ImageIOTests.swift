import TestSupport
import Foundation
import Testing
@testable import Vision

/// Pixels Pillow decoded from the fixture files (Tools/make_image_fixtures.py).
struct DecodingReference: Decodable {
    let file: String
    let width: Int, height: Int, channels: Int
    let pixels: [UInt8]

    static let all: [String: DecodingReference] = {
        let url = Bundle.module.url(forResource: "Reference/decoding", withExtension: "json")!
        return try! JSONDecoder().decode([String: DecodingReference].self, from: Data(contentsOf: url))
    }()

    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Reference/images/\(name)", withExtension: nil)!
    }
}

func temporaryDirectory() throws -> URL {
    let url = TemporaryFolder.name("vision-tests")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct ImageDecodingTests {
    @Test(arguments: ["rgb.jpg", "grey.jpg", "cmyk.jpg", "orientation6.jpg", "palette.png", "rgba.png", "grey_alpha.png", "rgb16.png"])
    func decodesLikePillow(_ name: String) throws {
        let reference = try #require(DecodingReference.all[name])
        let image = try Image(contentsOf: DecodingReference.fixture(name))
        #expect(image.width == reference.width && image.height == reference.height && image.channels == reference.channels)
        #expect(image.pixels == reference.pixels, "\(name): max difference \(maxDifference(image.pixels, reference.pixels))")
    }

    @Test(arguments: [2, 4])
    func dctScalingMatchesPillowDraft(_ denominator: Int) throws {
        let reference = try #require(DecodingReference.all["rgb.jpg/\(denominator)"])
        // 40×30 at 1/2 is 20×15, at 1/4 is 10×8: ask for a shorter side that allows exactly that.
        let side = (30 + denominator - 1) / denominator
        let image = try Image(contentsOf: DecodingReference.fixture("rgb.jpg"), options: DecodingOptions(minimumShorterSide: side))
        #expect(image.width == reference.width && image.height == reference.height)
        #expect(image.pixels == reference.pixels, "max difference \(maxDifference(image.pixels, reference.pixels))")
    }

    @Test func choosesTheLargestDenominatorThatKeepsTheSide() {
        #expect(Image.dctDenominator(width: 3000, height: 4000, minimumShorterSide: 224) == 8)   // 375 ≥ 224
        #expect(Image.dctDenominator(width: 3000, height: 4000, minimumShorterSide: 448) == 4)   // 750
        #expect(Image.dctDenominator(width: 3000, height: 4000, minimumShorterSide: 1000) == 2)  // 1500
        #expect(Image.dctDenominator(width: 3000, height: 4000, minimumShorterSide: 2000) == 1)
    }

    @Test func readsHeaderInfoAndOrientation() throws {
        let info = try Image.info(contentsOf: DecodingReference.fixture("orientation6.jpg"))
        #expect(info == ImageInfo(format: .jpeg, width: 20, height: 12, components: 3, orientation: 6))
        let png = try Image.info(contentsOf: DecodingReference.fixture("palette.png"))
        #expect(png.width == 18 && png.height == 10 && png.format == .png)
        let raw = try Image(contentsOf: DecodingReference.fixture("orientation6.jpg"), options: DecodingOptions(appliesOrientation: false))
        #expect(raw.width == 20 && raw.height == 12)
    }

    @Test func orientationsComposeAsExifDefines() {
        // 3×2 image with distinct pixels; 6 then 8 (90° cw then ccw) is the identity, 2 twice too.
        let image = Image(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(image.oriented(exif: 6).pixels == [4, 1, 5, 2, 6, 3])
        #expect(image.oriented(exif: 8).pixels == [3, 6, 2, 5, 1, 4])
        #expect(image.oriented(exif: 3).pixels == [6, 5, 4, 3, 2, 1])
        #expect(image.oriented(exif: 5).pixels == [1, 4, 2, 5, 3, 6])
        #expect(image.oriented(exif: 7).pixels == [6, 3, 5, 2, 4, 1])
        #expect(image.oriented(exif: 6).oriented(exif: 8) == image)
        #expect(image.oriented(exif: 2).oriented(exif: 2) == image)
        #expect(image.oriented(exif: 4).pixels == [4, 5, 6, 1, 2, 3])
    }
}

@Suite struct ImageDecodingErrorTests {
    func reason(decoding data: Data, name: String = "x.jpg", options: DecodingOptions = .default) -> ImageIOError.Reason? {
        do {
            _ = try Image(encoded: data, name: name, options: options)
            return nil
        } catch let error as ImageIOError {
            #expect(error.path == name)
            #expect(error.description.hasPrefix(name))
            return error.reason
        } catch { return nil }
    }

    @Test func zeroByteFile() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("empty.jpg")
        try Data().write(to: url)
        #expect(throws: ImageIOError(path: url.path, reason: .empty)) { try Image(contentsOf: url) }
    }

    @Test func missingFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/W_00001_50_ivy_M.jpg")
        do {
            _ = try Image(contentsOf: url)
            Issue.record("decoded a missing file")
        } catch let error as ImageIOError {
            #expect(error.path == url.path)
            guard case .unreadable = error.reason else { Issue.record("reason \(error.reason)"); return }
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func textUnderAJpgName() {
        #expect(reason(decoding: Data("not an image at all".utf8)) == .unknownFormat)
    }

    @Test(arguments: ["rgb.jpg", "palette.png", "rgba.png"])
    func truncatedFile(_ name: String) throws {
        let data = try Data(contentsOf: DecodingReference.fixture(name))
        for cut in [data.count / 2, data.count - 20, 12] {
            guard case .corrupt(let why)? = reason(decoding: data.prefix(cut), name: name) else {
                Issue.record("\(name) cut at \(cut) was not reported corrupt"); continue
            }
            #expect(!why.isEmpty)
        }
    }

    @Test func damagedJpegData() throws {
        var data = try Data(contentsOf: DecodingReference.fixture("rgb.jpg"))
        // Overwrite the entropy-coded data after the headers with a restart-marker storm.
        for i in stride(from: data.count - 300, to: data.count - 2, by: 2) { data[i] = 0xFF; data[i + 1] = 0xD3 }
        guard case .corrupt? = reason(decoding: data) else { Issue.record("damaged JPEG decoded"); return }
    }

    @Test func damagedPngChecksum() throws {
        var data = try Data(contentsOf: DecodingReference.fixture("palette.png"))
        data[20] ^= 0xFF   // inside IHDR: its CRC no longer matches
        guard case .corrupt? = reason(decoding: data, name: "p.png") else { Issue.record("bad CRC decoded"); return }
    }

    @Test func hugeDimensionsAreRefusedBeforeDecoding() throws {
        var data = try Data(contentsOf: DecodingReference.fixture("rgb.jpg"))
        // Patch the SOF0 frame header to 60000×60000.
        let bytes = [UInt8](data)
        let sof = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        for (offset, value) in [(5, 0xEA), (6, 0x60), (7, 0xEA), (8, 0x60)] { data[sof + offset] = UInt8(value) }
        guard case .tooLarge? = reason(decoding: data) else { Issue.record("60000×60000 JPEG not refused"); return }
        // PNG: a small limit refuses the fixture.
        let png = try Data(contentsOf: DecodingReference.fixture("palette.png"))
        guard case .tooLarge? = reason(decoding: png, name: "p.png", options: DecodingOptions(maximumPixels: 100)) else {
            Issue.record("PNG above the limit not refused"); return
        }
    }
}

@Suite struct ImageEncodingTests {
    @Test func pngRoundTripsExactly() throws {
        for channels in [1, 3] {
            let pixels = (0..<(7 * 5 * channels)).map { UInt8(($0 * 37) % 256) }
            let image = Image(width: 7, height: 5, channels: channels, pixels: pixels)
            #expect(try Image(encoded: image.pngData()) == image)
        }
    }

    @Test func jpegRoundTripIsClose() throws {
        let reference = try #require(DecodingReference.all["rgb.jpg"])
        let image = Image(width: reference.width, height: reference.height, channels: 3, pixels: reference.pixels)
        let decoded = try Image(encoded: image.jpegData(quality: 95))
        #expect(decoded.width == image.width && decoded.height == image.height)
        #expect(maxDifference(decoded.pixels, image.pixels) <= 12)
    }

    @Test func writeIsAtomicAndByExtension() throws {
        let dir = try temporaryDirectory()
        let image = Image(width: 4, height: 3, channels: 3, filledWith: 200)
        try image.write(to: dir.appendingPathComponent("a.png"))
        try image.write(to: dir.appendingPathComponent("a.jpg"))
        #expect(try Image(contentsOf: dir.appendingPathComponent("a.png")) == image)
        #expect(try Image.info(contentsOf: dir.appendingPathComponent("a.jpg")).format == .jpeg)
        #expect(throws: ImageIOError.self) { try image.write(to: dir.appendingPathComponent("a.bmp")) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(leftovers == ["a.jpg", "a.png"])
    }
}

func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
    guard a.count == b.count else { return 256 }
    return zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
}
