import CImageCodecs
import Foundation
import FashionBase

extension Image {
    /// JPEG bytes (libjpeg-turbo, baseline, 4:2:0 for colour) at `quality` 1…100.
    public func jpegData(quality: Int = 90) throws -> Data {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: Int(FIC_MESSAGE_LENGTH))
        let code = pixels.withUnsafeBufferPointer {
            fic_jpeg_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), Int32(quality), &out, &size, &message)
        }
        guard code == 0, let out else { throw ImageIOError(path: "<jpeg encoder>", reason: .unwritable(String(cString: message))) }
        defer { fic_free(out) }
        return Data(bytes: out, count: Int(size))
    }

    /// PNG bytes (libpng, 8-bit grey or RGB, lossless).
    public func pngData() throws -> Data {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: Int(FIC_MESSAGE_LENGTH))
        let code = pixels.withUnsafeBufferPointer {
            fic_png_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), &out, &size, &message)
        }
        guard code == 0, let out else { throw ImageIOError(path: "<png encoder>", reason: .unwritable(String(cString: message))) }
        defer { fic_free(out) }
        return Data(bytes: out, count: size)
    }

    /// Writes the image atomically (a temporary file renamed into place, so a killed run never
    /// leaves half a file); the format follows the extension (`.jpg`/`.jpeg` or `.png`).
    public func write(to url: URL, jpegQuality: Int = 95) throws {
        guard let format = ImageFormat(pathExtension: url.pathExtension) else {
            throw ImageIOError(path: url.path, reason: .unsupported("extension '.\(url.pathExtension)' (use .jpg, .jpeg or .png)"))
        }
        let data: Data
        do {
            data = format == .jpeg ? try jpegData(quality: jpegQuality) : try pngData()
        } catch let error as ImageIOError {
            throw ImageIOError(path: url.path, reason: error.reason)
        }
        do {
            try AtomicFile.write(data, to: url, durable: false)
        } catch {
            throw ImageIOError(path: url.path, reason: .unwritable(Self.shortReason(error)))
        }
    }
}
