import Foundation

/// A log that prints each line and appends it to a file (created if missing), as `tee -a`
/// does: what a resumable run's `log.txt` keeps across its restarts.
public final class LineLog: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    /// Opens `url` for appending, creating it when missing.
    public init(appendingTo url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        }
        handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Prints `line` to standard output (flushed) and appends it to the file, control characters
    /// escaped (``TerminalText/escaped(_:)``) in both.
    public func callAsFunction(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        let line = TerminalText.escaped(line)
        print(line)
        fflush(stdout)
        handle.write(Data((line + "\n").utf8))
    }
}
