import CImageCodecs
import Foundation
import FashionBase

/// How to decode: a size hint for libjpeg's DCT scaling, a pixel limit, EXIF orientation.
public struct DecodingOptions: Sendable {
    /// When set, a JPEG is decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling —
    /// far cheaper than decoding in full and shrinking) as long as its shorter side stays at
    /// least this many pixels. `nil` decodes at full size. PNGs always decode at full size.
    public var minimumShorterSide: Int?
    /// Files with more pixels than this are refused before any pixel is decoded. The
    /// default is Pillow's decompression-bomb error threshold (2 × 89,478,485).
    public var maximumPixels: Int
    /// Rotate/flip by the EXIF orientation tag of phone photos (what Pillow's
    /// `ImageOps.exif_transpose` does).
    public var appliesOrientation: Bool

    public init(minimumShorterSide: Int? = nil, maximumPixels: Int = 178_956_970, appliesOrientation: Bool = true) {
        self.minimumShorterSide = minimumShorterSide
        self.maximumPixels = maximumPixels
        self.appliesOrientation = appliesOrientation
    }

    /// Full size, default limit, orientation applied.
    public static let `default` = DecodingOptions()
}

/// What a file's header says, without decoding pixels.
public struct ImageInfo: Equatable, Sendable {
    public let format: ImageFormat
    /// Stored size, before orientation.
    public let width: Int, height: Int
    /// Components as stored (1 grey, 3 colour, 4 CMYK/YCCK for JPEG; PNG reports 1 or 3).
    public let components: Int
    /// EXIF orientation 1…8 (1 = as stored).
    public let orientation: Int
}

extension Image {
    /// Reads and decodes a JPEG or PNG file (format by signature, not by name).
    ///
    /// Grey stays grey; RGB, palette, CMYK and YCCK become RGB; 16-bit PNGs are reduced
    /// to 8 bits; alpha is composited on white. Any failure is an ``ImageIOError`` naming
    /// `url`'s path — libjpeg's and libpng's `longjmp` errors never reach Swift.
    public init(contentsOf url: URL, options: DecodingOptions = .default) throws {
        let data: Data
        if case .failure(let why) = ReadableFile.check(url.path) { throw ImageIOError(path: url.path, reason: .unreadable(why.reason)) }
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImageIOError(path: url.path, reason: .unreadable(Self.shortReason(error)))
        }
        try self.init(encoded: data, name: url.path, options: options)
    }

    /// Decodes JPEG or PNG bytes; `name` is what errors call the data.
    public init(encoded data: Data, name: String = "<memory>", options: DecodingOptions = .default) throws {
        guard !data.isEmpty else { throw ImageIOError(path: name, reason: .empty) }
        guard let format = ImageFormat.sniff(data) else { throw ImageIOError(path: name, reason: .unknownFormat) }
        var decoded = fic_image()
        var message = [CChar](repeating: 0, count: Int(FIC_MESSAGE_LENGTH))
        let limit = Int64(options.maximumPixels)
        let code: Int32 = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch format {
            case .jpeg:
                var denominator: Int32 = 1
                if let minimum = options.minimumShorterSide {
                    var w: Int32 = 0, h: Int32 = 0, components: Int32 = 0, orientation: Int32 = 0
                    if fic_jpeg_info(bytes.baseAddress, bytes.count, &w, &h, &components, &orientation, &message) == 0 {
                        denominator = Int32(Self.dctDenominator(width: Int(w), height: Int(h), minimumShorterSide: minimum))
                    }
                }
                return fic_jpeg_decode(bytes.baseAddress, bytes.count, denominator, limit, &decoded, &message)
            case .png:
                return fic_png_decode(bytes.baseAddress, bytes.count, limit, &decoded, &message)
            }
        }
        let text = String(cString: message)
        switch Int(code) {
        case Int(FIC_OK): break
        case Int(FIC_ERROR_TOO_LARGE): throw ImageIOError(path: name, reason: .tooLarge(text))
        case Int(FIC_ERROR_MEMORY): throw ImageIOError(path: name, reason: .outOfMemory(text))
        case Int(FIC_ERROR_UNSUPPORTED): throw ImageIOError(path: name, reason: .unsupported(text))
        default: throw ImageIOError(path: name, reason: .corrupt(text.isEmpty ? "decoder error" : text))
        }
        defer { fic_free(decoded.pixels) }
        let count = Int(decoded.width) * Int(decoded.height) * Int(decoded.channels)
        let pixels = [UInt8](UnsafeBufferPointer(start: decoded.pixels, count: count))
        let image = Image(width: Int(decoded.width), height: Int(decoded.height), channels: Int(decoded.channels), pixels: pixels)
        self = options.appliesOrientation ? image.oriented(exif: Int(decoded.orientation)) : image
    }

    /// The header of a JPEG or PNG file: size, components, EXIF orientation.
    public static func info(contentsOf url: URL) throws -> ImageInfo {
        let data: Data
        if case .failure(let why) = ReadableFile.check(url.path) { throw ImageIOError(path: url.path, reason: .unreadable(why.reason)) }
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw ImageIOError(path: url.path, reason: .unreadable(shortReason(error)))
        }
        guard !data.isEmpty else { throw ImageIOError(path: url.path, reason: .empty) }
        guard let format = ImageFormat.sniff(data) else { throw ImageIOError(path: url.path, reason: .unknownFormat) }
        switch format {
        case .jpeg:
            var w: Int32 = 0, h: Int32 = 0, components: Int32 = 0, orientation: Int32 = 0
            var message = [CChar](repeating: 0, count: Int(FIC_MESSAGE_LENGTH))
            let code = data.withUnsafeBytes { raw in
                fic_jpeg_info(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &w, &h, &components, &orientation, &message)
            }
            guard code == 0 else { throw ImageIOError(path: url.path, reason: .corrupt(String(cString: message))) }
            return ImageInfo(format: .jpeg, width: Int(w), height: Int(h), components: Int(components), orientation: Int(orientation))
        case .png:
            // IHDR: width and height big-endian at bytes 16…23, colour type at 25.
            guard data.count >= 26 else { throw ImageIOError(path: url.path, reason: .corrupt("truncated PNG header")) }
            let b = [UInt8](data.prefix(26))
            let w = b[16..<20].reduce(0) { $0 << 8 | Int($1) }, h = b[20..<24].reduce(0) { $0 << 8 | Int($1) }
            let colour = b[25] & 2 != 0
            return ImageInfo(format: .png, width: w, height: h, components: colour ? 3 : 1, orientation: 1)
        }
    }

    /// The largest libjpeg scale denominator (1, 2, 4, 8) keeping the shorter side ≥ `minimumShorterSide`.
    public static func dctDenominator(width: Int, height: Int, minimumShorterSide: Int) -> Int {
        let shorter = min(width, height)
        for d in [8, 4, 2] where (shorter + d - 1) / d >= minimumShorterSide { return d }
        return 1
    }

    static func shortReason(_ error: Error) -> String {
        if let e = error as? AtomicFile.WriteError { return e.reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return ns.localizedDescription
    }
}
