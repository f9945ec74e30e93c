import Foundation
import Tensor
import Vision

/// Prepared images of one split in one file, decoded once and memory-mapped after that.
///
/// Layout: the 8 bytes `FSIMGC01`, a little-endian UInt64 header length, a JSON header
/// (`width`, `height`, `channels`, `names`, `labels`, `classes`, `source`), then every image's
/// pixels (H×W×C bytes, interleaved) back to back. Written to a temporary file and renamed,
/// so a killed run never leaves a half-written cache.
public struct ImageCache: @unchecked Sendable {
    /// The cache's layout and contents: image size, names, labels, source.
    public struct Header: Codable, Equatable, Sendable {
        /// Every image's size.
        public var width: Int, height: Int, channels: Int
        /// One name per image (e.g. the photo's file name).
        public var names: [String]
        /// One class index per image.
        public var labels: [Int]
        /// Class names, indexed by label.
        public var classes: [String]
        /// Where the images came from (free text, e.g. the prepared folder).
        public var source: String
    }

    /// The cache's header.
    public let header: Header
    private let data: Data
    private let pixelOffset: Int

    /// Images in the cache.
    public var count: Int { header.names.count }
    /// Bytes of one image's pixels.
    public var bytesPerImage: Int { header.width * header.height * header.channels }

    static let magic = Array("FSIMGC01".utf8)

    /// Opens (memory-maps) a cache file; a damaged file is an ``ImageCacheError`` naming it.
    public init(contentsOf url: URL) throws {
        let data: Data
        if case .failure(let why) = ReadableFile.check(url.path) { throw ImageCacheError(path: url.path, reason: why.reason) }
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw ImageCacheError(path: url.path, reason: "cannot read (\(FileSystemMessage.reason(of: error)))")
        }
        guard data.count >= 16, Array(data.prefix(8)) == Self.magic else {
            throw ImageCacheError(path: url.path, reason: "not an image cache (bad signature)")
        }
        let length = data.subdata(in: 8..<16).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard length > 0, 16 + length <= data.count else { throw ImageCacheError(path: url.path, reason: "truncated header") }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data.subdata(in: 16..<(16 + length))) } catch {
            throw ImageCacheError(path: url.path, reason: "damaged header (\(error))")
        }
        guard header.names.count == header.labels.count, header.width > 0, header.height > 0,
              header.channels == 1 || header.channels == 3 else {
            throw ImageCacheError(path: url.path, reason: "inconsistent header")
        }
        let expected = 16 + length + header.names.count * header.width * header.height * header.channels
        guard data.count == expected else {
            throw ImageCacheError(path: url.path, reason: "\(data.count) bytes, expected \(expected) (truncated or damaged)")
        }
        self.header = header; self.data = data; self.pixelOffset = 16 + length
    }

    /// Image `i` as an `Image`.
    public func image(_ i: Int) -> Image {
        let start = pixelOffset + i * bytesPerImage
        return Image(width: header.width, height: header.height, channels: header.channels,
                     pixels: [UInt8](data[start..<(start + bytesPerImage)]))
    }

    /// Writes image `i` as planar floats `(v / 255 − mean[c]) / std[c]` into `out` (C×H×W).
    public func normalizedPlanar(_ i: Int, mean: [Float], std: [Float], into out: UnsafeMutableBufferPointer<Float>) {
        let c = header.channels, plane = header.width * header.height
        precondition(out.count == c * plane && mean.count == c && std.count == c, "ImageCache.normalizedPlanar: sizes")
        data.withUnsafeBytes { raw in
            let src = raw.bindMemory(to: UInt8.self).baseAddress! + pixelOffset + i * bytesPerImage
            for k in 0..<c {
                let scale = 1 / (255 * std[k]), shift = -mean[k] / std[k]
                let dst = out.baseAddress! + k * plane
                for p in 0..<plane { dst[p] = Float(src[p * c + k]) * scale + shift }
            }
        }
    }

    /// Builds a cache of `count` images made by `load(i)` (on all cores) and writes it to `url`
    /// atomically. Items whose `load` throws are left out and returned with the error's text.
    public static func build(count: Int, names: [String], labels: [Int], classes: [String],
                             width: Int, height: Int, channels: Int, source: String, to url: URL,
                             load: @Sendable (Int) throws -> Image,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> (cache: ImageCache, skipped: [SkippedFile]) {
        precondition(names.count == count && labels.count == count, "ImageCache.build: \(count) items, \(names.count) names, \(labels.count) labels")
        let per = width * height * channels
        var pixels = [UInt8](repeating: 0, count: count * per)
        var failures = [String?](repeating: nil, count: count)
        let done = ProgressCounter()
        pixels.withUnsafeMutableBufferPointer { buffer in
            failures.withUnsafeMutableBufferPointer { failed in
                Threading.parallelFor(count, minimumGrain: 8) { i in
                    do {
                        let image = try load(i)
                        guard image.width == width, image.height == height, image.channels == channels else {
                            failed[i] = "is \(image.width)×\(image.height)×\(image.channels), expected \(width)×\(height)×\(channels)"
                            return
                        }
                        _ = image.pixels.withUnsafeBufferPointer { src in
                            UnsafeMutableBufferPointer(rebasing: buffer[(i * per)..<((i + 1) * per)]).update(fromContentsOf: src)
                        }
                    } catch { failed[i] = "\(error)" }
                    progress?(done.increment(), count)
                }
            }
        }
        let keep = (0..<count).filter { failures[$0] == nil }
        let skipped = (0..<count).compactMap { i in failures[i].map { SkippedFile(path: names[i], reason: $0) } }
        let header = Header(width: width, height: height, channels: channels, names: keep.map { names[$0] },
                            labels: keep.map { labels[$0] }, classes: classes, source: source)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        // The atomic-file convention (`.NAME.partial-PID`), so a killed writer's temporary is
        // swept like every other (here, and by every output folder's leftover sweep).
        AtomicFile.removeLeftovers(of: url)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(AtomicFile.temporaryName(for: url.lastPathComponent))
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw ImageCacheError(path: url.path, reason: "cannot create \(temporary.path)")
        }
        do {
            var length = UInt64(json.count).littleEndian
            try handle.write(contentsOf: Data(magic) + Data(bytes: &length, count: 8) + json)
            var run: [UInt8] = []
            run.reserveCapacity(64 * per)
            for (n, i) in keep.enumerated() {
                run.append(contentsOf: pixels[(i * per)..<((i + 1) * per)])
                if run.count >= 64 * per || n == keep.count - 1 { try handle.write(contentsOf: run); run.removeAll(keepingCapacity: true) }
            }
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 { throw ImageCacheError(path: url.path, reason: String(cString: strerror(errno))) }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error as? ImageCacheError ?? ImageCacheError(path: url.path, reason: FileSystemMessage.reason(of: error))
        }
        return (try ImageCache(contentsOf: url), skipped)
    }
}

/// A cache file that cannot be read or written.
public struct ImageCacheError: Error, CustomStringConvertible, Equatable {
    /// The cache file.
    public let path: String
    /// Why it cannot be used.
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
