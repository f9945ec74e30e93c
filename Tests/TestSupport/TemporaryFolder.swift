import Foundation

/// Fresh folders under the system's temporary directory for tests, every one of them removed when the
/// test process exits — also those of a test that threw half-way. (The suites used to leave about
/// 1.4 GB of checkpoints and generated trees in `/tmp` per run, enough to fill a CI machine's disk.)
public enum TemporaryFolder {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [URL] = []
    private static let removedAtExit: Void = { atexit { TemporaryFolder.removeAll() } }()

    /// A new path `prefix-UUID` under the temporary directory, not yet created (the test or the code under
    /// test creates it), removed with its contents at exit.
    public static func name(_ prefix: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        register(url)
        return url
    }

    /// Removes every folder made so far (what `atexit` runs).
    public static func removeAll() {
        lock.lock(); let urls = made; made = []; lock.unlock()
        for url in urls { try? FileManager.default.removeItem(at: url) }
    }

    private static func register(_ url: URL) {
        _ = removedAtExit
        lock.lock(); made.append(url); lock.unlock()
    }
}
