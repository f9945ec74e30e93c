import Testing
@testable import Vision

@Suite struct ImageTests {
    @Test func planarConversionRoundTrips() {
        let img = Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 10, 20, 128, 255])
        let planar = img.planarFloats()
        let expected: [Float] = [255, 20, 0, 128, 10, 255].map { Float($0) / 255 }
        #expect(planar == expected)
        #expect(Image(planar: planar, width: 2, height: 1, channels: 3) == img)
    }
}
