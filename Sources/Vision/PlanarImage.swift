/// An image as planar floats, C×H×W, values nominally in [0, 1] — what torchvision's
/// `ToTensor`/`ToImage`+`ToDtype(float32, scale=True)` give, and what every transform in
/// this module works on (torchvision's tensor path, v0.15+).
public struct PlanarImage: Equatable, Sendable {
    public let channels: Int, height: Int, width: Int
    /// `channels × height × width` values, channel after channel.
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(channels > 0 && height >= 0 && width >= 0 && values.count == channels * height * width,
                     "PlanarImage: \(values.count) values for \(channels)×\(height)×\(width)")
        self.channels = channels; self.height = height; self.width = width; self.values = values
    }

    /// A uniformly filled image.
    public init(channels: Int, height: Int, width: Int, fill: Float) {
        self.init(channels: channels, height: height, width: width, values: [Float](repeating: fill, count: channels * height * width))
    }

    /// `ToTensor`: 8-bit interleaved pixels → floats in [0, 1].
    public init(_ image: Image) {
        self.init(channels: image.channels, height: image.height, width: image.width, values: image.planarFloats())
    }

    /// Back to 8 bits (clamped to [0, 1], rounded to nearest).
    public func image() -> Image {
        Image(planar: values, width: width, height: height, channels: channels)
    }

    @inline(__always) public subscript(c: Int, y: Int, x: Int) -> Float {
        get { values[(c * height + y) * width + x] }
        set { values[(c * height + y) * width + x] = newValue }
    }
}
