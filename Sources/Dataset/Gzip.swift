import CZlib
import Foundation

/// Reads gzip-compressed files through zlib (plain files are read as they are).
public enum Gzip {
    /// The decompressed contents of `url`.
    public static func contents(of url: URL) throws -> Data {
        guard let file = gzopen(url.path, "rb") else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        defer { gzclose(file) }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path]) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}
