import FuzzDriver
import Vision

/// Any bytes as an encoded photo (JPEG or PNG by signature): an image or an `ImageIOError`,
/// never a trap; pixel counts are bounded so a huge header cannot allocate gigabytes.
let options = DecodingOptions(maximumPixels: 4_000_000)
fuzz { data in
    if let image = try? Image(encoded: data, name: "fuzz", options: options) {
        precondition(image.pixels.count == image.width * image.height * image.channels, "image buffer and size disagree")
    }
}
