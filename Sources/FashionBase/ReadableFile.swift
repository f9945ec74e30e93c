import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading input files safely: only regular files (a FIFO, a device such as `/dev/zero`, a
/// directory or a socket named like an input is refused, never opened blocking), never more
/// than a stated cap read whole, and every failure a ``Failure`` that prints as `path: reason`.
///
/// ```swift
/// let data = try ReadableFile.read(url, limit: ReadableFile.Limit.json, what: "a JSON report")
/// ```
public enum ReadableFile {
    /// The caps on files read whole, in bytes.
    public enum Limit {
        /// A K-Fashion label (a few kilobytes in the real set).
        public static let label = 16 << 20
        /// A JSON file the program wrote or a user gives (metrics, state, metadata, normalisation).
        public static let json = 256 << 20
        /// A text table (a features CSV, a manifest): 512-d features of a million photos fit.
        public static let table = 8 << 30
    }

    /// Why a file cannot be read; prints as `path: reason`.
    public struct Failure: Error, CustomStringConvertible, Equatable, Sendable {
        /// The file.
        public let path: String
        /// Why, in a phrase.
        public let reason: String
        /// A failure of `path`.
        public init(path: String, reason: String) { self.path = path; self.reason = reason }
        /// `path: reason`.
        public var description: String { "\(path): \(reason)" }
    }

    /// What kind of file `mode` (from `stat`) is, in words.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// A byte count for people: `3.0 GB`, `16 MB`, `512 bytes`.
    public static func bytes(_ n: Int) -> String {
        if n >= 1 << 30 { return String(format: "%.1f GB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.0f MB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.0f KB", Double(n) / Double(1 << 10)) }
        return "\(n) bytes"
    }

    /// The size of `path` when it is a regular file (symbolic links followed) of at most `limit`
    /// bytes; otherwise the reason (missing, a FIFO or device, over the cap for `what`). Does
    /// not open the file, so a FIFO cannot block it.
    public static func check(_ path: String, limit: Int = .max, what: String = "this file") -> Result<Int, Failure> {
        var s = stat()
        guard stat(path, &s) == 0 else {
            return .failure(Failure(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno))))
        }
        guard s.st_mode & S_IFMT == S_IFREG else {
            return .failure(Failure(path: path, reason: "\(kind(s.st_mode)), not a regular file"))
        }
        guard Int(s.st_size) <= limit else {
            return .failure(Failure(path: path, reason: "\(bytes(Int(s.st_size))), over the \(bytes(limit)) cap for \(what)"))
        }
        return .success(Int(s.st_size))
    }

    /// ``check(_:limit:what:)`` that throws its ``Failure``.
    @discardableResult
    public static func checked(_ url: URL, limit: Int = .max, what: String = "this file") throws -> Int {
        try check(url.path, limit: limit, what: what).get()
    }

    /// The whole of `url`, a regular file of at most `limit` bytes (opened non-blocking, type
    /// checked on the open descriptor, at most `limit` bytes read even if it grows meanwhile).
    public static func read(_ url: URL, limit: Int, what: String) throws -> Data {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        return try read(url.path, limit: limit, what: what, buffer: &buffer).get()
    }

    /// ``read(_:limit:what:)`` with a caller's scratch buffer and no throwing: what a loop over
    /// twenty thousand label files calls (plain `open`/`read`, no FileManager per file).
    public static func read(_ path: String, limit: Int, what: String, buffer: inout [UInt8]) -> Result<Data, Failure> {
        func failure(_ reason: String) -> Result<Data, Failure> { .failure(Failure(path: path, reason: reason)) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            return failure(errno == ENOENT ? "no such file" : errno == EISDIR ? "a directory, not a regular file"
                           : "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var s = stat()
        guard fstat(fd, &s) == 0 else { return failure("cannot stat (\(String(cString: strerror(errno))))") }
        guard s.st_mode & S_IFMT == S_IFREG else { return failure("\(kind(s.st_mode)), not a regular file") }
        guard Int(s.st_size) <= limit else { return failure("\(bytes(Int(s.st_size))), over the \(bytes(limit)) cap for \(what)") }
        var data = Data()
        data.reserveCapacity(Int(s.st_size))
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return failure("cannot read (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            guard data.count + n <= limit else { return failure("over the \(bytes(limit)) cap for \(what) (it grew while read)") }
            data.append(contentsOf: buffer[0..<n])
        }
        return .success(data)
    }
}
