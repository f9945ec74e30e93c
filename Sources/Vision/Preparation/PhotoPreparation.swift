import Foundation

/// Mission 1-2, steps 1–2 for one photo: background to white, crop to the largest foreground
/// component, white padding to a square, resize to the model size.
public struct PhotoPreparer: Sendable {
    /// How the background is found.
    public enum Background: Sendable {
        /// ``BackgroundRemover``'s flood fill (photos on a fairly plain backdrop).
        case floodFill(BackgroundRemover)
        /// The photo's background is already white (a cut-out from another tool): near-white
        /// pixels connected to the border are background.
        case alreadyWhite
        /// Masks from another tool: `maskFolder/{photo stem}.png`, white = foreground.
        case externalMasks(URL)
    }

    /// Output side in pixels (224 for ResNet-18).
    public var size: Int
    public var background: Background
    /// Margin added around the subject's box, as a share of its longer side.
    public var margin: Double

    public init(size: Int = 224, background: Background = .floodFill(BackgroundRemover()), margin: Double = 0.02) {
        self.size = size; self.background = background; self.margin = margin
    }

    /// What preparing one photo produced.
    public struct Result: Sendable {
        public let image: Image
        /// Share of white pixels after the background was whitened (before cropping) — the
        /// figure the IQR rule checks.
        public let whiteShare: Double
        /// The subject's box in the decoded photo (nil when no foreground was found and the
        /// whole photo was used).
        public let box: ForegroundMask.Box?
        /// Size the photo was decoded at (libjpeg's DCT scaling may shrink it).
        public let decodedWidth: Int, decodedHeight: Int
    }

    /// A photo's mask (``Background/externalMasks(_:)``) is missing or unreadable: the error
    /// names the mask file, so the photo is not blamed for it.
    public struct MaskError: Error, CustomStringConvertible, Sendable {
        /// The photo whose mask was looked up.
        public let photo: String
        /// What reading the mask gave (its `path` is the mask file).
        public let mask: ImageIOError
        public var description: String { "mask \(mask.description)" }
    }

    /// Prepares the photo at `url`; decoding errors — and a photo outside ``PhotoLimits`` — are
    /// ``ImageIOError``s naming the file, a
    /// missing or unreadable mask a ``MaskError`` naming the mask.
    public func prepare(contentsOf url: URL) throws -> Result {
        // Decode at the smallest DCT scale that keeps twice the output size on the shorter side.
        let photo = try Image(contentsOf: url, options: DecodingOptions(minimumShorterSide: 2 * size))
        if let why = PhotoLimits.problem(width: photo.width, height: photo.height) {
            throw ImageIOError(path: url.path, reason: .unsupported(why))
        }
        var mask: ForegroundMask, box: ForegroundMask.Box?
        switch background {
        case .floodFill(let remover): (mask, box) = remover.foreground(of: photo)
        case .alreadyWhite: (mask, box) = BackgroundRemover.foreground(ofWhiteBackground: photo)
        case .externalMasks(let folder):
            let maskURL = folder.appendingPathComponent(url.deletingPathExtension().lastPathComponent + ".png")
            var maskImage: Image
            do { maskImage = try Image(contentsOf: maskURL) } catch let error as ImageIOError {
                throw MaskError(photo: url.path, mask: error)
            }
            if maskImage.width != photo.width || maskImage.height != photo.height {
                maskImage = PlanarImage(maskImage).resized(height: photo.height, width: photo.width).image()
            }
            (mask, box) = BackgroundRemover.refine(ForegroundMask(maskImage: maskImage), radius: 1)
        }
        let white = photo.whitened(outside: mask)
        let share = white.whiteShare()
        return Result(image: finish(white, box: box), whiteShare: share, box: box,
                      decodedWidth: photo.width, decodedHeight: photo.height)
    }

    /// Crop to `box` (with the margin), pad to a white square, resize to `size`.
    public func finish(_ image: Image, box: ForegroundMask.Box?) -> Image {
        var region = image
        if let box {
            let m = Int((Double(max(box.width, box.height)) * margin).rounded())
            let x0 = max(0, box.x - m), y0 = max(0, box.y - m)
            let x1 = min(image.width, box.x + box.width + m), y1 = min(image.height, box.y + box.height + m)
            region = image.cropped(to: ForegroundMask.Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
        }
        return PlanarImage(region).paddedToSquare(fill: 1).resized(height: size, width: size).image()
    }
}
