import FashionBase

/// An 8-bit image with interleaved channels (1 = grey, 3 = RGB), row-major.
public struct Image: Equatable, Sendable {
    public let width: Int, height: Int, channels: Int
    /// `height × width × channels` bytes.
    public var pixels: [UInt8]

    /// An image from its pixels; the count must be `width · height · channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "Image: \(channels) channels (1 or 3 supported)")
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * channels,
                     "Image: \(pixels.count) bytes do not make a \(width)×\(height)×\(channels) image")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// A uniformly filled image (255 is white).
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Planar floats in [0, 1], channel after channel (C×H×W) — torchvision's `ToTensor`.
    public func planarFloats() -> [Float] {
        var out = [Float](repeating: 0, count: pixels.count)
        let plane = width * height
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<plane {
                    for c in 0..<channels { dst[c * plane + i] = Float(src[i * channels + c]) * (1 / 255) }
                }
            }
        }
        return out
    }

    /// The image from planar floats in [0, 1] (values outside are clamped, rounded to nearest).
    public init(planar values: [Float], width: Int, height: Int, channels: Int) {
        precondition(values.count == width * height * channels, "Image(planar:): \(values.count) values for \(width)×\(height)×\(channels)")
        let plane = width * height
        var pixels = [UInt8](repeating: 0, count: values.count)
        for i in 0..<plane {
            for c in 0..<channels {
                let v = min(max(values[c * plane + i], 0), 1) * 255
                pixels[i * channels + c] = UInt8(v.rounded())
            }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }
}
