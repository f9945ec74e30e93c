import Testing
import Tensor
@testable import Vision

@Suite struct ImageTests {
    @Test func planarConversionRoundTrips() {
        let img = Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 10, 20, 128, 255])
        let planar = img.planarFloats()
        let expected: [Float] = [255, 20, 0, 128, 10, 255].map { Float($0) / 255 }
        #expect(planar == expected)
        #expect(Image(planar: planar, width: 2, height: 1, channels: 3) == img)
    }

    @Test func batchTensorIsNCHW() {
        let a = Image(width: 3, height: 2, channels: 1, filledWith: 255)
        let b = Image(width: 3, height: 2, channels: 1, filledWith: 0)
        let t = Tensor(batch: [a, b])
        #expect(t.shape == [2, 1, 2, 3])
        #expect(t.scalars == [Float](repeating: 1, count: 6) + [Float](repeating: 0, count: 6))
    }
}
