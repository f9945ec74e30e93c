/// Why an image file could not be read or written; always names the file.
public struct ImageIOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kinds of failure, each with the decoder's own words where it gave any.
    public enum Reason: Equatable, Sendable {
        /// The file could not be opened or read (missing, permissions, a folder…).
        case unreadable(String)
        /// The file has zero bytes.
        case empty
        /// Neither a JPEG nor a PNG signature.
        case unknownFormat
        /// The decoder rejected the data: truncated, damaged, or not what the signature claims.
        case corrupt(String)
        /// More pixels than the configured limit (a decompression bomb or a mistake).
        case tooLarge(String)
        /// A valid file in a layout this library does not convert.
        case unsupported(String)
        /// Memory for the pixels could not be allocated.
        case outOfMemory(String)
        /// Writing the output failed.
        case unwritable(String)
    }

    /// The file (or a caller-chosen name for in-memory data).
    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unreadable(let why): return "\(path): cannot read file (\(why))"
        case .empty: return "\(path): empty file (0 bytes)"
        case .unknownFormat: return "\(path): not a JPEG or PNG file (unknown signature)"
        case .corrupt(let why): return "\(path): damaged image (\(why))"
        case .tooLarge(let why): return "\(path): image too large (\(why))"
        case .unsupported(let why): return "\(path): unsupported image (\(why))"
        case .outOfMemory(let why): return "\(path): out of memory (\(why))"
        case .unwritable(let why): return "\(path): cannot write (\(why))"
        }
    }
}
