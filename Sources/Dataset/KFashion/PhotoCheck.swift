import Foundation
import Vision
#if canImport(Glibc)
import Glibc
#endif

/// The content half of what counts as a photo: a regular, non-empty file holding a JPEG whose
/// header is well formed (markers up to the scan, a frame of sane size) and whose data runs to
/// its end-of-image marker — what libjpeg decodes without "premature end of data".
///
/// Cheap enough for every listing (two reads of at most 256 KiB and 4 KiB per file, no
/// decode): `stats`, `labels`, `preferences` and `prepare` see the same photos. A full
/// decode stays `prepare`'s job.
public enum PhotoCheck {
    /// The largest frame accepted (a 65,500 × 65,500 header is refused before any decode).
    public static let maximumPixels = 100_000_000

    /// Why the file at `url` is not a usable JPEG photo, or nil when it is.
    public static func problem(at url: URL) -> String? {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return String(cString: strerror(errno)) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "not a regular file" }
        let size = Int(info.st_size)
        guard size > 0 else { return "empty file" }
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        func read(_ count: Int, at offset: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? bytes : nil
        }
        guard let head = read(min(size, 256 * 1024), at: 0) else { return "cannot read (\(String(cString: strerror(errno))))" }
        if let other = otherFormat(head) { return "\(other) data, not JPEG" }
        guard head.count >= 4, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF else {
            return "not a JPEG (starts with \(head.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")))"
        }
        // Marker segments up to the start of scan: lengths inside the file, one frame header.
        var i = 2, frame: (width: Int, height: Int)?
        while true {
            guard i + 4 <= head.count else { return head.count == size ? "truncated header (no start of scan)" : "header longer than 256 KiB" }
            guard head[i] == 0xFF else { return "corrupt header (no marker at byte \(i))" }
            let marker = head[i + 1]
            if marker == 0xFF { i += 1; continue }   // fill byte
            if marker == 0xD9 { return "end of image before any scan" }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = Int(head[i + 2]) << 8 | Int(head[i + 3])
            guard length >= 2, i + 2 + length <= size else { return "truncated header (segment at byte \(i) runs past the end)" }
            if [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF].contains(marker) {
                guard length >= 8, i + 9 <= head.count else { return "truncated frame header" }
                // What libjpeg-turbo 2.1 (Debian 12) decodes: one frame, 8-bit samples, baseline,
                // extended, progressive or arithmetic-coded; not lossless or hierarchical JPEG.
                guard frame == nil else { return "two frame headers (SOF markers): libjpeg cannot decode it" }
                if let kind = Self.unsupportedFrames[marker] { return "\(kind) JPEG (SOF\(marker - 0xC0)), which the decoder does not support" }
                guard head[i + 4] == 8 else { return "\(head[i + 4])-bit samples; only 8-bit JPEGs are supported" }
                let height = Int(head[i + 5]) << 8 | Int(head[i + 6]), width = Int(head[i + 7]) << 8 | Int(head[i + 8])
                guard width > 0, height > 0 else { return "frame of \(width)×\(height) pixels" }
                guard width * height <= maximumPixels else { return "frame of \(width)×\(height) pixels (more than \(maximumPixels / 1_000_000) megapixels)" }
                if let why = PhotoLimits.problem(width: width, height: height) { return why }
                frame = (width, height)
            }
            if marker == 0xDA { break }
            i += 2 + length
        }
        guard frame != nil else { return "no frame header before the scan" }
        // Entropy-coded data cannot hold FF D9 (FF is stuffed as FF 00): the end-of-image
        // marker after the scan's start means the data is whole.
        let tailStart = max(i, size - 4096)
        guard let tail = read(size - tailStart, at: tailStart) else { return "cannot read the end of the file" }
        var k = tail.count - 2
        while k >= 0 {
            if tail[k] == 0xFF, tail[k + 1] == 0xD9 { return nil }
            k -= 1
        }
        return "truncated (no end-of-image marker: premature end of data)"
    }

    /// Frame types libjpeg-turbo 2.1 refuses, by SOF marker.
    static let unsupportedFrames: [UInt8: String] = [0xC3: "lossless", 0xC5: "hierarchical", 0xC6: "hierarchical progressive",
                                                     0xC7: "hierarchical lossless", 0xCB: "lossless arithmetic-coded",
                                                     0xCD: "hierarchical arithmetic-coded", 0xCE: "hierarchical arithmetic-coded",
                                                     0xCF: "hierarchical lossless arithmetic-coded"]

    /// The name of another image format recognised by its signature.
    static func otherFormat(_ b: [UInt8]) -> String? {
        func starts(_ s: [UInt8]) -> Bool { b.count >= s.count && Array(b.prefix(s.count)) == s }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "PNG" }
        if starts([0x47, 0x49, 0x46, 0x38]) { return "GIF" }
        if starts([0x42, 0x4D]) { return "BMP" }
        if starts([0x52, 0x49, 0x46, 0x46]), b.count >= 12, Array(b[8..<12]) == Array("WEBP".utf8) { return "WebP" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "TIFF" }
        return nil
    }
}
