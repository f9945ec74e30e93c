import Vision

/// An RGB colour with components in 0…255.
struct RGB {
    var r: Float, g: Float, b: Float
    init(_ r: Float, _ g: Float, _ b: Float) { self.r = r; self.g = g; self.b = b }
    func mixed(with o: RGB, _ t: Float) -> RGB { RGB(r + (o.r - r) * t, g + (o.g - g) * t, b + (o.b - b) * t) }
    func scaled(_ s: Float) -> RGB { RGB(r * s, g * s, b * s) }
}

/// A small raster for the generator's figures: filled shapes with a per-pixel paint.
struct Canvas {
    let width: Int, height: Int
    var pixels: [Float]   // interleaved RGB, 0…255

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [Float](repeating: 0, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ c: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b
    }

    /// Fills the axis-aligned rectangle [x0, x1) × [y0, y1) (fractional edges rounded).
    mutating func fillRect(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float, _ paint: (Int, Int) -> RGB) {
        let xa = max(0, Int(x0.rounded())), xb = min(width, Int(x1.rounded()))
        let ya = max(0, Int(y0.rounded())), yb = min(height, Int(y1.rounded()))
        guard xa < xb, ya < yb else { return }
        for y in ya..<yb { for x in xa..<xb { set(x, y, paint(x, y)) } }
    }

    /// Fills a trapezoid whose top edge spans `topHalf` either side of `cx` at `y0` and bottom edge `bottomHalf` at `y1`.
    mutating func fillTrapezoid(cx: Float, y0: Float, y1: Float, topHalf: Float, bottomHalf: Float, _ paint: (Int, Int) -> RGB) {
        let ya = max(0, Int(y0.rounded())), yb = min(height, Int(y1.rounded()))
        guard ya < yb else { return }
        for y in ya..<yb {
            let t = (Float(y) + 0.5 - y0) / max(1, y1 - y0)
            let half = topHalf + (bottomHalf - topHalf) * t
            let xa = max(0, Int((cx - half).rounded())), xb = min(width, Int((cx + half).rounded()))
            if xa < xb { for x in xa..<xb { set(x, y, paint(x, y)) } }
        }
    }

    /// Fills the ellipse centred at (cx, cy) with radii rx, ry.
    mutating func fillEllipse(cx: Float, cy: Float, rx: Float, ry: Float, _ paint: (Int, Int) -> RGB) {
        let ya = max(0, Int((cy - ry).rounded(.down))), yb = min(height, Int((cy + ry).rounded(.up)) + 1)
        let xa = max(0, Int((cx - rx).rounded(.down))), xb = min(width, Int((cx + rx).rounded(.up)) + 1)
        guard ya < yb, xa < xb, rx > 0, ry > 0 else { return }
        for y in ya..<yb {
            for x in xa..<xb {
                let dx = (Float(x) + 0.5 - cx) / rx, dy = (Float(y) + 0.5 - cy) / ry
                if dx * dx + dy * dy <= 1 { set(x, y, paint(x, y)) }
            }
        }
    }

    /// The canvas as an 8-bit image (rounded, clamped).
    func image() -> Image {
        Image(width: width, height: height, channels: 3, pixels: pixels.map { UInt8(min(255, max(0, $0.rounded()))) })
    }
}
