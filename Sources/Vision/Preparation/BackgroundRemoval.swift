/// Classical background removal for a person photographed against a fairly plain backdrop.
///
/// 1. Flood fill from the image border: a pixel joins the background when its colour is
///    within `stepTolerance` of the neighbour it is reached from (so smooth gradients and
///    lighting falloff are followed) and within `globalTolerance` of the mean border colour
///    (so the fill cannot leak far into the subject through a soft edge).
/// 2. The rest is foreground; an opening removes specks, a closing bridges thin gaps, the
///    largest 8-connected component is kept and its holes are filled.
///
/// This is a stand-in for the seed's rembg/BiRefNet (not available here): good on studio-
/// and wall-like backdrops, weak on cluttered streets — which is what the white-share IQR
/// rule is there to flag.
public struct BackgroundRemover: Sendable {
    /// Largest colour step (Euclidean, 0…255 units) between neighbouring background pixels.
    public var stepTolerance: Float = 10
    /// Largest distance from the mean border colour for a background pixel.
    public var globalTolerance: Float = 70
    /// Radius of the opening and closing, as a share of the shorter side.
    public var morphologyRadius: Double = 0.006

    public init(stepTolerance: Float = 10, globalTolerance: Float = 70, morphologyRadius: Double = 0.006) {
        self.stepTolerance = stepTolerance; self.globalTolerance = globalTolerance; self.morphologyRadius = morphologyRadius
    }

    /// The foreground mask of `image` (grey or RGB) and the largest component's bounding box;
    /// nil box when nothing is left in the foreground.
    public func foreground(of image: Image) -> (mask: ForegroundMask, box: ForegroundMask.Box?) {
        let w = image.width, h = image.height, c = image.channels, n = w * h
        var background = [UInt8](repeating: 0, count: n)
        var near = [UInt8](repeating: 0, count: n)
        var stack = [Int32](repeating: 0, count: n)
        let step2 = stepTolerance * stepTolerance, global2 = globalTolerance * globalTolerance
        image.pixels.withUnsafeBufferPointer { pxBuffer in
            background.withUnsafeMutableBufferPointer { bgBuffer in
                near.withUnsafeMutableBufferPointer { nearBuffer in
                    stack.withUnsafeMutableBufferPointer { stackBuffer in
                        let px = pxBuffer.baseAddress!, bg = bgBuffer.baseAddress!, ok = nearBuffer.baseAddress!, st = stackBuffer.baseAddress!
                        // Mean border colour.
                        var mean: (Float, Float, Float) = (0, 0, 0)
                        var count: Float = 0
                        func channel(_ p: Int, _ k: Int) -> Float { Float(px[p * c + min(k, c - 1)]) }
                        var borderPixels: [Int] = Array(0..<w) + Array(((h - 1) * w)..<(h * w))
                        for y in 1..<max(1, h - 1) { borderPixels.append(y * w); borderPixels.append(y * w + w - 1) }
                        for p in borderPixels { mean.0 += channel(p, 0); mean.1 += channel(p, 1); mean.2 += channel(p, 2); count += 1 }
                        mean = (mean.0 / max(count, 1), mean.1 / max(count, 1), mean.2 / max(count, 1))
                        // Pixels close enough to the backdrop colour (one pass, no branches on neighbours).
                        for p in 0..<n {
                            let d0 = channel(p, 0) - mean.0, d1 = channel(p, 1) - mean.1, d2 = channel(p, 2) - mean.2
                            let d = c == 1 ? d0 * d0 : d0 * d0 + d1 * d1 + d2 * d2
                            ok[p] = d <= global2 ? 1 : 0
                        }
                        var top = 0
                        for p in borderPixels where ok[p] == 1 && bg[p] == 0 { bg[p] = 1; st[top] = Int32(p); top += 1 }
                        while top > 0 {
                            top -= 1
                            let p = Int(st[top])
                            let x = p % w
                            for side in 0..<4 {
                                let q: Int
                                switch side {
                                case 0: q = x > 0 ? p - 1 : -1
                                case 1: q = x < w - 1 ? p + 1 : -1
                                case 2: q = p >= w ? p - w : -1
                                default: q = p < n - w ? p + w : -1
                                }
                                guard q >= 0 && bg[q] == 0 && ok[q] == 1 else { continue }
                                var d: Float = 0
                                for k in 0..<c { let e = Float(px[p * c + k]) - Float(px[q * c + k]); d += e * e }
                                if d <= step2 { bg[q] = 1; st[top] = Int32(q); top += 1 }
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<n { background[i] = 1 - background[i] }
        let raw = ForegroundMask(width: w, height: h, bits: background)
        return Self.refine(raw, radius: max(1, Int((Double(min(w, h)) * morphologyRadius).rounded())))
    }

    /// For an image whose background is already white (or an external cut-out): background =
    /// near-white pixels (all channels ≥ `threshold`) connected to the border.
    public static func foreground(ofWhiteBackground image: Image, threshold: UInt8 = 245) -> (mask: ForegroundMask, box: ForegroundMask.Box?) {
        let w = image.width, h = image.height, c = image.channels
        var white = [UInt8](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            var all = true
            for k in 0..<c where image.pixels[i * c + k] < threshold { all = false }
            white[i] = all ? 0 : 1
        }
        let mask = ForegroundMask(width: w, height: h, bits: white)
        return refine(mask, radius: 1)
    }

    /// Opening, closing, largest component, holes filled.
    static func refine(_ mask: ForegroundMask, radius: Int) -> (mask: ForegroundMask, box: ForegroundMask.Box?) {
        let cleaned = mask.opened(radius: radius).closed(radius: radius)
        guard let (component, box) = cleaned.largestComponent() else { return (cleaned, nil) }
        return (component.holesFilled(), box)
    }
}

extension Image {
    /// The image with every background pixel (mask 0) set to white.
    public func whitened(outside mask: ForegroundMask) -> Image {
        precondition(mask.width == width && mask.height == height, "whitened: mask \(mask.width)×\(mask.height) for image \(width)×\(height)")
        var out = self
        out.pixels.withUnsafeMutableBufferPointer { px in
            for i in 0..<(width * height) where mask.bits[i] == 0 {
                for k in 0..<channels { px[i * channels + k] = 255 }
            }
        }
        return out
    }

    /// Share of white pixels (every channel ≥ `threshold`; 250 by default, so JPEG ringing
    /// around a white background still counts).
    public func whiteShare(threshold: UInt8 = 250) -> Double {
        let n = width * height
        guard n > 0 else { return 0 }
        var white = 0
        pixels.withUnsafeBufferPointer { px in
            for i in 0..<n {
                var all = true
                for k in 0..<channels where px[i * channels + k] < threshold { all = false; break }
                if all { white += 1 }
            }
        }
        return Double(white) / Double(n)
    }

    /// The pixels inside `box` (which must lie within the image).
    public func cropped(to box: ForegroundMask.Box) -> Image {
        precondition(box.x >= 0 && box.y >= 0 && box.x + box.width <= width && box.y + box.height <= height, "cropped: box outside the image")
        var out = [UInt8](repeating: 0, count: box.width * box.height * channels)
        for y in 0..<box.height {
            let s = ((box.y + y) * width + box.x) * channels, d = y * box.width * channels
            for i in 0..<(box.width * channels) { out[d + i] = pixels[s + i] }
        }
        return Image(width: box.width, height: box.height, channels: channels, pixels: out)
    }
}
