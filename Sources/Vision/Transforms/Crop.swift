/// Crops, padding and flips with torchvision's semantics (tensor path, v0.15+).
extension PlanarImage {
    /// `F.crop(img, top, left, height, width)`: the window may leave the image; the outside is
    /// filled with `fill` (torchvision pads with 0).
    public func cropped(top: Int, left: Int, height h: Int, width w: Int, fill: Float = 0) -> PlanarImage {
        precondition(h >= 0 && w >= 0, "cropped: negative size")
        var out = PlanarImage(channels: channels, height: h, width: w, fill: fill)
        let y0 = max(0, top), y1 = min(height, top + h), x0 = max(0, left), x1 = min(width, left + w)
        guard y0 < y1 && x0 < x1 else { return out }
        values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                for c in 0..<channels {
                    for y in y0..<y1 {
                        let s = src.baseAddress! + (c * height + y) * width
                        let d = dst.baseAddress! + (c * h + (y - top)) * w - left
                        for x in x0..<x1 { d[x] = s[x] }
                    }
                }
            }
        }
        return out
    }

    /// `F.center_crop`: top = round((H − h)/2), left = round((W − w)/2) with Python's
    /// round-half-to-even; a crop larger than the image is padded with `fill` (0 in torchvision).
    public func centerCropped(height h: Int, width w: Int, fill: Float = 0) -> PlanarImage {
        let top = Int((Double(height - h) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(width - w) / 2).rounded(.toNearestOrEven))
        if h > height || w > width {
            // torchvision pads symmetrically first, then crops: same as a window with fill.
            let padLeft = w > width ? (w - width) / 2 : 0, padTop = h > height ? (h - height) / 2 : 0
            let padded = padded(left: padLeft, top: padTop, right: w > width ? (w - width + 1) / 2 : 0,
                                bottom: h > height ? (h - height + 1) / 2 : 0, fill: fill)
            return padded.centerCropped(height: h, width: w, fill: fill)
        }
        return cropped(top: top, left: left, height: h, width: w, fill: fill)
    }

    /// `F.pad(img, [left, top, right, bottom], fill, padding_mode="constant")`.
    public func padded(left: Int, top: Int, right: Int, bottom: Int, fill: Float = 0) -> PlanarImage {
        cropped(top: -top, left: -left, height: height + top + bottom, width: width + left + right, fill: fill)
    }

    /// White padding to a square (mission 1-2: keep the aspect ratio): the short side is
    /// padded equally on both sides (the odd pixel goes right or bottom).
    public func paddedToSquare(fill: Float = 1) -> PlanarImage {
        let side = max(height, width)
        let dx = side - width, dy = side - height
        return padded(left: dx / 2, top: dy / 2, right: dx - dx / 2, bottom: dy - dy / 2, fill: fill)
    }

    /// `F.horizontal_flip`.
    public func horizontallyFlipped() -> PlanarImage {
        var out = self
        values.withUnsafeBufferPointer { src in
            out.values.withUnsafeMutableBufferPointer { dst in
                for row in 0..<(channels * height) {
                    let s = src.baseAddress! + row * width, d = dst.baseAddress! + row * width
                    for x in 0..<width { d[x] = s[width - 1 - x] }
                }
            }
        }
        return out
    }
}
