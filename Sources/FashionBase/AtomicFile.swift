import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file writes that a crash cannot leave half done: the bytes go to a temporary file in
/// the same folder (`.NAME.partial-PID`), are flushed to disk, and the temporary is renamed
/// over the target — a reader sees the old file or the new one, never a mix. A writer killed
/// before the rename leaves only the temporary, which ``removeLeftovers(in:)`` clears.
public enum AtomicFile {
    /// Marks temporaries in a file name.
    public static let partialMarker = ".partial-"

    /// Why a write failed (the target's path and the system's reason).
    public struct WriteError: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write (\(reason))" }
        /// A failed write of `path` for `reason` (the system's words).
        public init(path: String, reason: String) { self.path = path; self.reason = reason }
    }

    /// Writes `data` to `url` atomically; `durable` also flushes the file and its folder to
    /// disk (for checkpoints and state; a killed process needs only the rename, a power cut
    /// the flush — skip it for thousands of small files).
    public static func write(_ data: Data, to url: URL, durable: Bool = true) throws {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw WriteError(path: url.path, reason: "folder \(folder.path) does not exist")
        }
        guard isDirectory.boolValue else { throw WriteError(path: url.path, reason: "\(folder.path) is a file, not a folder") }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw WriteError(path: url.path, reason: "is a directory")
        }
        let temporary = folder.appendingPathComponent(temporaryName(for: url.lastPathComponent))
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: url.path, reason: String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        if failure == nil, durable, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(temporary.path, url.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary.path)
            throw WriteError(path: url.path, reason: failure)
        }
        // The rename itself is durable once the folder is flushed.
        guard durable else { return }
        let dirFD = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }

    /// Makes an output folder (and its parents) and clears the temporaries a killed earlier
    /// writer left in it; when it cannot, the error names the path in the way and why
    /// (`…/a is a file, not a folder`).
    public static func createFolder(_ url: URL) throws {
        defer { removeLeftovers(in: url) }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            var reason = "no permission?"
            var ancestor = url
            while ancestor.path != "/" {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                    if !isDirectory.boolValue { reason = "\(ancestor.path) is a file, not a folder" }
                    break
                }
                ancestor.deleteLastPathComponent()
            }
            throw WriteError(path: url.path, reason: reason)
        }
    }

    /// The temporary a write of a file named `name` goes through in this process:
    /// `.NAME.partial-PID`, or — when that would pass the file system's 255-byte limit on a name
    /// (a photo named with 250 bytes) — `.PREFIX~HASH.partial-PID`, a UTF-8-whole prefix of the
    /// name and a hash of all of it, so long names still have a temporary of their own.
    public static func temporaryName(for name: String) -> String {
        temporaryPrefix(for: name) + String(getpid())
    }

    /// ``temporaryName(for:)`` without the process id: what every writer's temporary of `name` starts with.
    static func temporaryPrefix(for name: String) -> String {
        let plain = "." + name + partialMarker
        guard plain.utf8.count + 10 > 255 else { return plain }
        var hash: UInt64 = 0xcbf29ce484222325   // FNV-1a
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        var prefix = ""
        for character in name where prefix.utf8.count + character.utf8.count <= 180 { prefix.append(character) }
        return "." + prefix + "~" + String(hash, radix: 16) + partialMarker
    }

    /// Deletes the temporaries a killed writer of `url` left beside it; returns their names.
    @discardableResult
    public static func removeLeftovers(of url: URL) -> [String] {
        let prefix = temporaryPrefix(for: url.lastPathComponent)
        return sweep(url.deletingLastPathComponent()) { $0.hasPrefix(prefix) }
    }

    /// Deletes the temporaries a killed writer left in `folder`; returns their names.
    @discardableResult
    public static func removeLeftovers(in folder: URL) -> [String] {
        sweep(folder) { $0.hasPrefix(".") && $0.contains(partialMarker) }
    }

    /// Unlinks the names in `folder` that `isLeftover` picks, sorted.
    private static func sweep(_ folder: URL, _ isLeftover: (String) -> Bool) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        let leftovers = names.filter(isLeftover).sorted()
        for name in leftovers { unlink(folder.appendingPathComponent(name).path) }
        return leftovers
    }
}
