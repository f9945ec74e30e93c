import Foundation
import Vision

/// The one chain from a prepared photo to the image a model sees, shared by training's cache,
/// `evaluate`, `features` and `Predictor` (Models) so the same photo gives the same input
/// everywhere: the prepared square stored as JPEG (quality ``jpegQuality``), decoded with
/// libjpeg's DCT scaling down to no less than the model size, made RGB, resized (antialiased
/// bilinear, torchvision's) to the model size and kept as 8-bit pixels.
public enum PreparedPhoto {
    /// JPEG quality of prepared photos on disk (`PreparedSet`'s outputs).
    public static let jpegQuality = 95

    /// The model-size image of a prepared photo's stored bytes; `name` names them in errors.
    public static func modelImage(encoded data: Data, name: String, size: Int) throws -> Image {
        let image = try Image(encoded: data, name: name, options: DecodingOptions(minimumShorterSide: size))
        return modelImage(decoded: image, size: size)
    }

    /// The model-size image of a prepared photo file.
    public static func modelImage(contentsOf url: URL, size: Int) throws -> Image {
        let image = try Image(contentsOf: url, options: DecodingOptions(minimumShorterSide: size))
        return modelImage(decoded: image, size: size)
    }

    /// The model-size image of a photo prepared just now (not yet stored): through the same
    /// JPEG round trip as a stored one, so it gives the same pixels as the file would.
    public static func modelImage(prepared image: Image, size: Int) throws -> Image {
        try modelImage(encoded: try image.jpegData(quality: jpegQuality), name: "<prepared photo>", size: size)
    }

    static func modelImage(decoded image: Image, size: Int) -> Image {
        let rgb = image.channels == 3 ? image : Image(width: image.width, height: image.height, channels: 3,
                                                      pixels: image.pixels.flatMap { [$0, $0, $0] })
        return rgb.width == size && rgb.height == size ? rgb : PlanarImage(rgb).resized(height: size, width: size).image()
    }
}
