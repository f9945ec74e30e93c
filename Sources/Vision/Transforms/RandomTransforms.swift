import FashionBase

/// A transform that may draw random numbers — torchvision's `transforms.v2` classes.
///
/// Each transform draws its parameters in torchvision's order (e.g. `ColorJitter`: the
/// permutation, then brightness, contrast, saturation, hue) from the caller's seeded
/// `RandomGenerator` (FashionBase). The stream is this project's, so a seed reproduces our runs, not
/// PyTorch's; the functional operations themselves match torchvision's numbers.
public protocol ImageTransform: Sendable {
    func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage
}

/// `Compose`: the transforms in order.
public struct Compose: ImageTransform {
    public let transforms: [any ImageTransform]
    public init(_ transforms: [any ImageTransform]) { self.transforms = transforms }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        transforms.reduce(image) { $1($0, using: &generator) }
    }
}

/// `Resize(size)`: shorter edge to `size` (one int) or exactly `height × width`; bilinear, antialiased.
public struct Resize: ImageTransform {
    public enum Size: Sendable { case shorterEdge(Int), exactly(height: Int, width: Int) }
    public let size: Size
    public init(_ size: Size) { self.size = size }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        switch size {
        case .shorterEdge(let s): return image.resized(shorterEdge: s)
        case .exactly(let h, let w): return image.resized(height: h, width: w)
        }
    }
}

/// `CenterCrop(height, width)`.
public struct CenterCrop: ImageTransform {
    public let height: Int, width: Int
    public init(height: Int, width: Int) { self.height = height; self.width = width }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        image.centerCropped(height: height, width: width)
    }
}

/// `RandomHorizontalFlip(p)`: flips when a uniform draw is below `p`.
public struct RandomHorizontalFlip: ImageTransform {
    public let p: Float
    public init(p: Float = 0.5) { self.p = p }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        generator.uniform() < p ? image.horizontallyFlipped() : image
    }
}

/// `RandomAffine(degrees, translate, scale, shear, interpolation, fill)`.
///
/// Draws in torchvision's order: angle ~ U(degrees), then translation (if set:
/// `round(U(−t·W, t·W))`, `round(U(−t·H, t·H))`), scale ~ U(scale) (if set), shear x ~ U(shear x)
/// and, when given, shear y ~ U(shear y).
public struct RandomAffine: ImageTransform {
    public let degrees: ClosedRange<Double>
    public let translate: (Double, Double)?
    public let scale: ClosedRange<Double>?
    public let shear: (x: ClosedRange<Double>, y: ClosedRange<Double>?)?
    public let interpolation: Interpolation
    public let fill: Float

    /// `degrees: d` means −d…d, as torchvision; `shear: s` means x ∈ −s…s; `fill` 1 is white.
    public init(degrees: Double, translate: (Double, Double)? = nil, scale: ClosedRange<Double>? = nil,
                shear: Double? = nil, interpolation: Interpolation = .nearest, fill: Float = 0) {
        self.init(degrees: -degrees...degrees, translate: translate, scale: scale,
                  shear: shear.map { (x: -$0...$0, y: nil) }, interpolation: interpolation, fill: fill)
    }

    public init(degrees: ClosedRange<Double>, translate: (Double, Double)? = nil, scale: ClosedRange<Double>? = nil,
                shear: (x: ClosedRange<Double>, y: ClosedRange<Double>?)? = nil, interpolation: Interpolation = .nearest,
                fill: Float = 0) {
        self.degrees = degrees; self.translate = translate; self.scale = scale
        self.shear = shear; self.interpolation = interpolation; self.fill = fill
    }

    static func uniform(_ r: ClosedRange<Double>, _ g: inout RandomGenerator) -> Double {
        r.lowerBound + (r.upperBound - r.lowerBound) * Double(g.uniform())
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        let angle = Self.uniform(degrees, &generator)
        var t = (0.0, 0.0)
        if let translate {
            let dx = translate.0 * Double(image.width), dy = translate.1 * Double(image.height)
            t = (Self.uniform(-dx...dx, &generator).rounded(.toNearestOrEven), Self.uniform(-dy...dy, &generator).rounded(.toNearestOrEven))
        }
        let s = scale.map { Self.uniform($0, &generator) } ?? 1
        var sh = (0.0, 0.0)
        if let shear {
            sh.0 = Self.uniform(shear.x, &generator)
            if let y = shear.y { sh.1 = Self.uniform(y, &generator) }
        }
        return image.affine(angle: angle, translate: t, scale: s, shear: sh, interpolation: interpolation, fill: fill)
    }
}

/// `RandomRotation(degrees, interpolation, fill)`: angle ~ U(−d, d), counter-clockwise.
public struct RandomRotation: ImageTransform {
    public let degrees: ClosedRange<Double>
    public let interpolation: Interpolation
    public let fill: Float
    public init(degrees: Double, interpolation: Interpolation = .nearest, fill: Float = 0) {
        self.degrees = -degrees...degrees; self.interpolation = interpolation; self.fill = fill
    }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        image.rotated(angle: RandomAffine.uniform(degrees, &generator), interpolation: interpolation, fill: fill)
    }
}

/// `ColorJitter(brightness, contrast, saturation, hue)`.
///
/// Factor ranges as torchvision: a value b gives [max(0, 1 − b), 1 + b] (hue h gives [−h, h],
/// h ≤ 0.5). Draws a permutation of the four operations, then each set factor in the order
/// brightness, contrast, saturation, hue, and applies them in the permuted order.
public struct ColorJitter: ImageTransform {
    public let brightness: ClosedRange<Float>?, contrast: ClosedRange<Float>?, saturation: ClosedRange<Float>?, hue: ClosedRange<Float>?

    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0, hue: Float = 0) {
        precondition(brightness >= 0 && contrast >= 0 && saturation >= 0 && hue >= 0 && hue <= 0.5, "ColorJitter: bad factor")
        func range(_ v: Float) -> ClosedRange<Float>? { v == 0 ? nil : max(0, 1 - v)...(1 + v) }
        self.brightness = range(brightness); self.contrast = range(contrast); self.saturation = range(saturation)
        self.hue = hue == 0 ? nil : -hue...hue
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        let order = generator.permutation(4)
        func draw(_ r: ClosedRange<Float>?) -> Float? { r.map { generator.uniform($0.lowerBound, $0.upperBound) } }
        let b = draw(brightness), c = draw(contrast), s = draw(saturation), h = draw(hue)
        var out = image
        for op in order {
            switch op {
            case 0: if let b { out = out.adjustingBrightness(b) }
            case 1: if let c { out = out.adjustingContrast(c) }
            case 2: if let s { out = out.adjustingSaturation(s) }
            default: if let h { out = out.adjustingHue(h) }
            }
        }
        return out
    }
}

/// `RandomResizedCrop(size, scale, ratio)`: up to 10 tries of area ~ U(scale) and
/// log-ratio ~ U(log ratio), else the centre-crop fallback; then crop and resize (antialiased).
public struct RandomResizedCrop: ImageTransform {
    public let height: Int, width: Int
    public let scale: ClosedRange<Double>, ratio: ClosedRange<Double>
    public init(height: Int, width: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)) {
        self.height = height; self.width = width; self.scale = scale; self.ratio = ratio
    }

    /// The crop window (top, left, height, width) torchvision's `make_params` would choose.
    public func window(height H: Int, width W: Int, using g: inout RandomGenerator) -> (Int, Int, Int, Int) {
        let area = Double(H * W)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * RandomAffine.uniform(scale, &g)
            let aspect = exp(RandomAffine.uniform(logRatio, &g))
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if w > 0 && w <= W && h > 0 && h <= H {
                let i = g.int(below: H - h + 1), j = g.int(below: W - w + 1)
                return (i, j, h, w)
            }
        }
        let inRatio = Double(W) / Double(H)
        var w = W, h = H
        if inRatio < ratio.lowerBound { h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven)) }
        else if inRatio > ratio.upperBound { w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven)) }
        return ((H - h) / 2, (W - w) / 2, h, w)
    }

    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        let (top, left, h, w) = window(height: image.height, width: image.width, using: &generator)
        return image.cropped(top: top, left: left, height: h, width: w).resized(height: height, width: width)
    }
}

/// `Normalize(mean, std)`.
public struct Normalize: ImageTransform {
    public let mean: [Float], std: [Float]
    public init(mean: [Float], std: [Float]) { self.mean = mean; self.std = std }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        image.normalized(mean: mean, std: std)
    }
}

import Foundation

/// `RandomCrop(size, padding, fill, padding_mode)`: pads (left, top, right, bottom all `padding`), then
/// crops `height × width` at top ~ randint(0, H − h), left ~ randint(0, W − w).
public struct RandomCrop: ImageTransform {
    public let height: Int, width: Int, padding: Int
    /// How the padding is filled (torchvision's `padding_mode`; constant `fill` by default).
    public let mode: PaddingMode
    /// The constant fill (0 unless given; ignored by the other modes).
    public var fill: Float { if case .constant(let v) = mode { return v } else { return 0 } }
    public init(height: Int, width: Int, padding: Int = 0, fill: Float = 0) {
        self.init(height: height, width: width, padding: padding, mode: .constant(fill))
    }
    /// A crop after `padding` pixels of padding on every side in `mode`.
    public init(height: Int, width: Int, padding: Int, mode: PaddingMode) {
        self.height = height; self.width = width; self.padding = padding; self.mode = mode
    }
    public func callAsFunction(_ image: PlanarImage, using generator: inout RandomGenerator) -> PlanarImage {
        let padded = padding > 0 ? image.padded(left: padding, top: padding, right: padding, bottom: padding, mode: mode) : image
        precondition(padded.height >= height && padded.width >= width, "RandomCrop: \(height)×\(width) from \(padded.height)×\(padded.width)")
        let top = generator.int(below: padded.height - height + 1), left = generator.int(below: padded.width - width + 1)
        return padded.cropped(top: top, left: left, height: height, width: width)
    }
}
