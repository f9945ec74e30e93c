extension Image {
    /// The image turned upright according to an EXIF orientation value (1…8), as Pillow's
    /// `ImageOps.exif_transpose`: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose,
    /// 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise. Other values: unchanged.
    public func oriented(exif orientation: Int) -> Image {
        let w = width, h = height
        let swaps = orientation >= 5 && orientation <= 8
        let ow = swaps ? h : w, oh = swaps ? w : h
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case 2: source = { x, y in (w - 1 - x, y) }
        case 3: source = { x, y in (w - 1 - x, h - 1 - y) }
        case 4: source = { x, y in (x, h - 1 - y) }
        case 5: source = { x, y in (y, x) }
        case 6: source = { x, y in (y, h - 1 - x) }
        case 7: source = { x, y in (w - 1 - y, h - 1 - x) }
        case 8: source = { x, y in (w - 1 - y, x) }
        default: return self
        }
        let c = channels
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let (sx, sy) = source(x, y)
                        let s = (sy * w + sx) * c, d = (y * ow + x) * c
                        for k in 0..<c { dst[d + k] = src[s + k] }
                    }
                }
            }
        }
        return Image(width: ow, height: oh, channels: c, pixels: out)
    }
}
