import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on an output folder (`flock(2)` on the folder itself), held until the
/// process ends: two runs writing one folder — two `train --out runs/a` started seconds apart,
/// two `prepare` — would each finish "successfully" with the other's files. The second is
/// refused with the first's process id instead. Locks are advisory: they bind this program's
/// runs, and vanish with the process however it ends (kill -9 included), so nothing stale is
/// ever left behind. A folder locked again by the same process is simply held already.
///
/// ```swift
/// try FolderLock.acquire(runFolder)   // FolderLock.Busy when another process writes it
/// ```
public enum FolderLock {
    /// The folder is being written by another process.
    public struct Busy: Error, CustomStringConvertible, Equatable, Sendable {
        /// The folder.
        public let path: String
        /// The process holding it, when `/proc/locks` tells.
        public let pid: Int32?
        /// `path: in use by process N …`.
        public var description: String {
            "\(path): in use by \(pid.map { "process \($0)" } ?? "another process") writing the same folder; "
                + "wait for it to finish or choose another folder"
        }
    }

    private struct Key: Hashable { var device: UInt64, inode: UInt64 }
    nonisolated(unsafe) private static var held: [Key: Int32] = [:]
    private static let mutex = NSLock()

    /// Locks `folder` (which must exist) for the rest of the process; throws ``Busy`` when
    /// another process holds it, or a ``ReadableFile/Failure`` when it cannot be opened.
    public static func acquire(_ folder: URL) throws {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadableFile.Failure(path: folder.path, reason: "cannot open the folder to lock it (\(String(cString: strerror(errno))))") }
        var s = stat()
        guard fstat(fd, &s) == 0 else { close(fd); throw ReadableFile.Failure(path: folder.path, reason: "cannot stat the folder") }
        let key = Key(device: UInt64(s.st_dev), inode: UInt64(s.st_ino))
        mutex.lock(); defer { mutex.unlock() }
        if held[key] != nil { close(fd); return }
        var result: Int32
        repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            if busy { throw Busy(path: folder.path, pid: holder(device: s.st_dev, inode: s.st_ino)) }
            throw ReadableFile.Failure(path: folder.path, reason: "cannot lock the folder (\(reason))")
        }
        held[key] = fd
    }

    /// Starts a folder afresh (a run's `--restart`): creates it if missing, locks it, then removes
    /// everything in it. The folder itself stays, so the lock holds, and a folder another process
    /// is writing is refused (``Busy``) before anything of it is removed.
    public static func emptied(_ folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try acquire(folder)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Gives up a lock this process holds (a library user done with a folder); nothing if not held.
    public static func release(_ folder: URL) {
        var s = stat()
        guard stat(folder.path, &s) == 0 else { return }
        let key = Key(device: UInt64(s.st_dev), inode: UInt64(s.st_ino))
        mutex.lock(); defer { mutex.unlock() }
        if let fd = held.removeValue(forKey: key) { close(fd) }
    }

    /// The process holding a `flock` on the file, from `/proc/locks` (`N: FLOCK ADVISORY WRITE
    /// PID MAJ:MIN:INODE …`, major and minor in hex).
    static func holder(device: dev_t, inode: ino_t) -> Int32? {
        guard let data = try? ReadableFile.read(URL(fileURLWithPath: "/proc/locks"), limit: ReadableFile.Limit.json, what: "/proc/locks") else { return nil }
        let major = (UInt64(device) >> 8) & 0xfff | ((UInt64(device) >> 32) & ~0xfff)
        let minor = (UInt64(device) & 0xff) | ((UInt64(device) >> 12) & ~0xff)
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 6, f[1] == "FLOCK", let pid = Int32(f[4]) else { continue }
            let file = f[5].split(separator: ":")
            if file.count == 3, UInt64(file[0], radix: 16) == major, UInt64(file[1], radix: 16) == minor, UInt64(file[2]) == UInt64(inode) {
                return pid
            }
        }
        return nil
    }
}
