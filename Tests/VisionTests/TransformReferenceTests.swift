import Foundation
import Testing
@testable import Vision

/// torchvision's outputs for fixed parameters (Tools/make_transform_reference.py).
struct TransformReference: Decodable {
    struct Input: Decodable { let shape: [Int]; let values: [Float] }
    struct Params: Decodable {
        let height: Int?, width: Int?, size: Int?, top: Int?, left: Int?, right: Int?, bottom: Int?
        let fill: Float?, angle: Double?, tx: Double?, ty: Double?, scale: Double?, shearX: Double?, shearY: Double?
        let interpolation: String?, factor: Float?, mean: [Float]?, std: [Float]?
    }
    struct Case: Decodable { let name: String; let input: String; let op: String; let params: Params; let shape: [Int]; let output: [Float] }
    struct Window: Decodable { let ratio: [Double]; let top: Int; let left: Int; let height: Int; let width: Int }
    let torchvision: String
    let inputs: [String: Input]
    let cases: [Case]
    let fallbackWindows: [Window]

    static let shared: TransformReference = {
        let url = Bundle.module.url(forResource: "Reference/transforms", withExtension: "json")!
        return try! JSONDecoder().decode(TransformReference.self, from: Data(contentsOf: url))
    }()

    func image(_ name: String) -> PlanarImage {
        let input = inputs[name]!
        return PlanarImage(channels: input.shape[0], height: input.shape[1], width: input.shape[2], values: input.values)
    }
}

@Suite struct TransformReferenceTests {
    static var caseNames: [String] { TransformReference.shared.cases.map(\.name) }

    func apply(_ c: TransformReference.Case, to image: PlanarImage) -> PlanarImage {
        let p = c.params
        let interpolation = Interpolation(rawValue: p.interpolation ?? "nearest")!
        switch c.op {
        case "resize": return image.resized(height: p.height!, width: p.width!)
        case "resizeShorter": return image.resized(shorterEdge: p.size!)
        case "centerCrop": return image.centerCropped(height: p.height!, width: p.width!)
        case "crop": return image.cropped(top: p.top!, left: p.left!, height: p.height!, width: p.width!)
        case "pad": return image.padded(left: p.left!, top: p.top!, right: p.right!, bottom: p.bottom!, fill: p.fill!)
        case "hflip": return image.horizontallyFlipped()
        case "affine":
            return image.affine(angle: p.angle!, translate: (p.tx!, p.ty!), scale: p.scale!, shear: (p.shearX!, p.shearY!),
                                interpolation: interpolation, fill: p.fill)
        case "rotate": return image.rotated(angle: p.angle!, interpolation: interpolation, fill: p.fill)
        case "brightness": return image.adjustingBrightness(p.factor!)
        case "contrast": return image.adjustingContrast(p.factor!)
        case "saturation": return image.adjustingSaturation(p.factor!)
        case "hue": return image.adjustingHue(p.factor!)
        case "normalize": return image.normalized(mean: p.mean!, std: p.std!)
        default: fatalError("unknown op \(c.op) in the reference file")
        }
    }

    @Test(arguments: caseNames)
    func matchesTorchvision(_ name: String) throws {
        let reference = TransformReference.shared
        let c = try #require(reference.cases.first { $0.name == name })
        let out = apply(c, to: reference.image(c.input))
        let shape: [Int] = [out.channels, out.height, out.width]
        #expect(shape == c.shape)
        guard out.values.count == c.output.count else { return }
        let worst = zip(out.values, c.output).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 2e-5, "\(name): max |Δ| = \(worst) vs torchvision \(reference.torchvision)")
    }

    @Test func resizedCropFallbackWindowMatches() {
        for w in TransformReference.shared.fallbackWindows {
            let t = RandomResizedCrop(height: 5, width: 5, scale: 2...3, ratio: w.ratio[0]...w.ratio[1])
            var g = RandomGenerator(seed: 1)
            let (top, left, h, wd) = t.window(height: 13, width: 17, using: &g)
            let got: [Int] = [top, left, h, wd], want: [Int] = [w.top, w.left, w.height, w.width]
            #expect(got == want, "ratio \(w.ratio)")
        }
    }
}

@Suite struct RandomTransformTests {
    let image = TransformReference.shared.image("rgb")

    @Test func sameSeedSameAugmentation() {
        let pipeline = Compose([RandomHorizontalFlip(), RandomAffine(degrees: 15, shear: 10, interpolation: .bilinear, fill: 1),
                                ColorJitter(brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.1),
                                RandomResizedCrop(height: 8, width: 8)])
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let x = pipeline(image, using: &a), y = pipeline(image, using: &b), z = pipeline(image, using: &c)
        #expect(x == y && x != z)
        #expect(x.channels == 3 && x.height == 8 && x.width == 8)
    }

    @Test func flipProbability() {
        var g = RandomGenerator(seed: 7)
        let flip = RandomHorizontalFlip(p: 0.3)
        var flipped = 0
        for _ in 0..<10_000 where flip(image, using: &g) != image { flipped += 1 }
        #expect(abs(Double(flipped) / 10_000 - 0.3) < 0.02)
        var never = RandomGenerator(seed: 7)
        #expect(RandomHorizontalFlip(p: 0)(image, using: &never) == image)
    }

    @Test func randomResizedCropWindowsStayInsideAndFollowTheRanges() {
        var g = RandomGenerator(seed: 3)
        let t = RandomResizedCrop(height: 4, width: 4, scale: 0.2...0.6, ratio: 0.75...1.3333)
        for _ in 0..<500 {
            let (top, left, h, w) = t.window(height: 100, width: 80, using: &g)
            #expect(top >= 0 && left >= 0 && top + h <= 100 && left + w <= 80)
            let area = Double(h * w) / 8000
            #expect(area > 0.17 && area < 0.64)
        }
    }

    @Test func colorJitterIdentityAtZero() {
        var g = RandomGenerator(seed: 1)
        #expect(ColorJitter()(image, using: &g) == image)
        #expect(image.adjustingHue(0).values.enumerated().allSatisfy { abs($0.element - image.values[$0.offset]) < 1e-6 })
    }

    @Test func paddedToSquareKeepsContentCentred() {
        let tall = PlanarImage(channels: 1, height: 4, width: 1, fill: 0)
        let square = tall.paddedToSquare()
        #expect(square.height == 4 && square.width == 4)
        #expect((0..<4).map { square[0, 0, $0] } == [1, 0, 1, 1])
    }
}
