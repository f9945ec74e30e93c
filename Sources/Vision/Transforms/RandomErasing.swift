import FashionBase
import Foundation

/// `RandomErasing(p, scale, ratio, value)` (Zhong et al., "Random Erasing Data Augmentation"),
/// drawing as torchvision's `transforms.RandomErasing` does.
///
/// With probability `p` a rectangle is erased: up to ten attempts each draw an area
/// `U(scale) · H · W` and an aspect ratio `exp(U(log ratio))`, round `h = √(area·ratio)` and
/// `w = √(area/ratio)` half to even (Python's `round`), and keep the first rectangle strictly
/// smaller than the image (`h < H` and `w < W`); its corner is then uniform over the places
/// it fits. After ten misses the image is returned unchanged, as torchvision returns it.
///
/// torchvision erases a normalised tensor, so its `value=0` is the data set's mean; here the
/// transform runs before normalisation, so the fill is given in the image's own units (the
/// mean, for torchvision's default). `Tools/make_erasing_reference.py` records torchvision's
/// draws, which `RandomErasingTests` compare with these.
///
/// ```swift
/// let erase = RandomErasing(p: 0.5, fill: .constant([0.286]))   // torchvision's value=0 after Normalize(0.286, 0.353)
/// var g = RandomGenerator(seed: 1)
/// let out = erase(image, using: &g)
/// ```
public struct RandomErasing: ImageTransform {
    /// What an erased pixel becomes.
    public enum Fill: Sendable, Equatable {
        /// One value for every channel, or one per channel (torchvision's `value=v` or `value=(r, g, b)`).
        case constant([Float])
        /// A normal draw per pixel, `mean[c] + std[c]·N(0, 1)` (torchvision's `value='random'`,
        /// which draws N(0, 1) in normalised units: give the normalisation's mean and std).
        case normal(mean: [Float], std: [Float])
    }

    /// The probability of erasing.
    public let p: Float
    /// The erased area's share of the image.
    public let scale: ClosedRange<Double>
    /// The erased rectangle's height over width.
    public let ratio: ClosedRange<Double>
    /// What erased pixels become.
    public let fill: Fill

    /// torchvision's defaults: p 0.5, scale 0.02…0.33, ratio 0.3…3.3, fill 0.
    public init(p: Float = 0.5, scale: ClosedRange<Double> = 0.02...0.33, ratio: ClosedRange<Double> = 0.3...3.3,
                fill: Fill = .constant([0])) {
        precondition((0...1).contains(p), "RandomErasing: p \(p) is not a probability")
        precondition(scale.lowerBound >= 0 && scale.upperBound <= 1, "RandomErasing: scale \(scale) is not within 0…1")
        precondition(ratio.lowerBound > 0, "RandomErasing: ratio \(ratio) must be positive")
        self.p = p; self.scale = scale; self.ratio = ratio; self.fill = fill
    }

    /// A rectangle to erase from a `height × width` image, drawn as torchvision's
    /// `RandomErasing.get_params` draws it (ten attempts); nil when all ten miss.
    public static func rectangle(height: Int, width: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                                 using generator: inout RandomGenerator)
        -> (top: Int, left: Int, height: Int, width: Int)? {
        let area = Double(height * width)
        let logLow = log(ratio.lowerBound), logHigh = log(ratio.upperBound)
        for _ in 0..<10 {
            let erased = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * Double(generator.uniform()))
            let aspect = exp(logLow + (logHigh - logLow) * Double(generator.uniform()))
            let h = Int((erased * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((erased / aspect).squareRoot().rounded(.toNearestOrEven))
            guard h < height, w < width else { continue }
            return (generator.int(below: height - h + 1), generator.int(below: width - w + 1), h, w)
        }
        return nil
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        guard generator.uniform() < p,
              let r = Self.rectangle(height: image.height, width: image.width, scale: scale, ratio: ratio, using: &generator)
        else { return image }
        var out = image
        for c in 0..<image.channels {
            for y in r.top..<(r.top + r.height) {
                let row = (c * image.height + y) * image.width
                for x in r.left..<(r.left + r.width) { out.values[row + x] = value(channel: c, using: &generator) }
            }
        }
        return out
    }

    func value(channel c: Int, using generator: inout RandomGenerator) -> Float {
        switch fill {
        case .constant(let v): return v.isEmpty ? 0 : v[v.count == 1 ? 0 : min(c, v.count - 1)]
        case .normal(let mean, let std):
            let m = mean.isEmpty ? 0 : mean[min(c, mean.count - 1)], s = std.isEmpty ? 1 : std[min(c, std.count - 1)]
            return generator.normal(mean: m, std: s)
        }
    }
}
