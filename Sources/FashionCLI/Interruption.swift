import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What Ctrl-C (SIGINT) or SIGTERM prints before the program ends with 128 + the signal's
/// number, as a shell reports it: a line saying how to go on (for training, the epoch a rerun
/// resumes from). Outputs are written whole or not at all (Docs/RELIABILITY.md), so ending at
/// once loses only the work in progress.
enum Interruption {
    /// The line, kept in a C buffer the signal handler only reads (`write(2)` is
    /// async-signal-safe; building a string in the handler is not).
    nonisolated(unsafe) private static var buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var length = 0
    private static let capacity = 512

    /// Installs the handlers with a first line; call once, early in `main()`.
    static func install(note: String = "interrupted; whatever was finished is kept — rerun the same command to go on") {
        set(note)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { number in
                _ = Glibc.write(2, "\n", 1)
                _ = Glibc.write(2, Interruption.buffer, Interruption.length)
                _exit(128 + number)
            }
        }
    }

    /// Prints nothing on interruption (the ranks past 0 of a job, which `mpirun` ends when one
    /// rank fails: rank 0 speaks for the job).
    static func silence() {
        length = 0
        signal(SIGINT) { number in _exit(128 + number) }
        signal(SIGTERM) { number in _exit(128 + number) }
    }

    /// Replaces the line printed on interruption (ends with a newline).
    static func set(_ note: String) {
        let bytes = Array((note + "\n").utf8.prefix(capacity))
        // The handler may read while this writes: shrink the length first, grow it last.
        length = 0
        bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { buffer.update(from: $0.baseAddress!, count: b.count) }
        }
        length = bytes.count
    }
}
