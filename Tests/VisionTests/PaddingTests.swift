import FashionBase
import Foundation
import Testing
@testable import Vision

/// torchvision's `F.pad` in its four modes (Tools/make_padding_reference.py).
struct PaddingReference: Decodable {
    struct Input: Decodable { let shape: [Int]; let values: [Float] }
    struct Case: Decodable { let mode: String; let padding: [Int]; let fill: Float; let shape: [Int]; let output: [Float] }
    let torchvision: String
    let input: Input
    let cases: [Case]

    static let shared: PaddingReference = {
        let url = Bundle.module.url(forResource: "Reference/padding", withExtension: "json")!
        return try! JSONDecoder().decode(PaddingReference.self, from: Data(contentsOf: url))
    }()
}

@Suite struct PaddingTests {
    /// Every mode and padding gives torchvision's values exactly (padding only copies values).
    @Test func matchesTorchvision() {
        let r = PaddingReference.shared
        let image = PlanarImage(channels: r.input.shape[0], height: r.input.shape[1], width: r.input.shape[2], values: r.input.values)
        for c in r.cases {
            let mode: PaddingMode
            switch c.mode {
            case "constant": mode = .constant(c.fill)
            case "edge": mode = .edge
            case "reflect": mode = .reflect
            default: mode = .symmetric
            }
            let p = c.padding
            let out = image.padded(left: p[0], top: p[1], right: p[2], bottom: p[3], mode: mode)
            #expect([out.channels, out.height, out.width] == c.shape && out.values == c.output, "\(c.mode) \(p)")
        }
    }

    @Test func reflectNeedsMorePixelsThanItsPadding() {
        #expect(PaddingMode.reflect.problem(pad: 3, size: 3) != nil && PaddingMode.reflect.problem(pad: 2, size: 3) == nil)
        #expect(PaddingMode.symmetric.problem(pad: 3, size: 3) == nil && PaddingMode.symmetric.problem(pad: 4, size: 3) != nil)
        #expect(PaddingMode.constant(0).problem(pad: 9, size: 1) == nil)
    }

    /// A reflect-padded random crop is a window of the reflect-padded image, drawn as the constant one is.
    @Test func randomCropPadsInItsMode() {
        let image = PlanarImage(channels: 1, height: 6, width: 6, values: (0..<36).map(Float.init))
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        let crop = RandomCrop(height: 6, width: 6, padding: 2, mode: .reflect)(image, using: &a)
        let top = b.int(below: 5), left = b.int(below: 5)
        #expect(crop == image.padded(left: 2, top: 2, right: 2, bottom: 2, mode: .reflect).cropped(top: top, left: left, height: 6, width: 6))
        #expect(RandomCrop(height: 6, width: 6, padding: 2, fill: 0.5).mode == .constant(0.5))
    }
}
