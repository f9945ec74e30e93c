/// A binary mask over an image: 1 = foreground (the person), 0 = background.
public struct ForegroundMask: Equatable, Sendable {
    public let width: Int, height: Int
    /// Row-major, one byte per pixel (0 or 1).
    public var bits: [UInt8]

    public init(width: Int, height: Int, bits: [UInt8]) {
        precondition(bits.count == width * height, "ForegroundMask: \(bits.count) values for \(width)×\(height)")
        self.width = width; self.height = height; self.bits = bits
    }

    public init(width: Int, height: Int, filledWith value: UInt8) {
        self.init(width: width, height: height, bits: [UInt8](repeating: value, count: width * height))
    }

    /// A mask from a grey or colour mask image: foreground where the (first channel) value ≥ 128.
    public init(maskImage: Image) {
        var bits = [UInt8](repeating: 0, count: maskImage.width * maskImage.height)
        for i in bits.indices { bits[i] = maskImage.pixels[i * maskImage.channels] >= 128 ? 1 : 0 }
        self.init(width: maskImage.width, height: maskImage.height, bits: bits)
    }

    /// Share of foreground pixels.
    public var foregroundShare: Double {
        bits.isEmpty ? 0 : Double(bits.reduce(0) { $0 + Int($1) }) / Double(bits.count)
    }

    /// A rectangle in pixels.
    public struct Box: Equatable, Sendable, Codable {
        public var x: Int, y: Int, width: Int, height: Int
        public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
    }
}
