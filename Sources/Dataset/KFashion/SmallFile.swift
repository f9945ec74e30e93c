import FashionBase
import Foundation

/// Reads a whole small file (a label, a provenance record) into a caller's scratch buffer —
/// plain `open`/`read`, no FileManager per file (mission 2-2 reads ~20,000 label files) —
/// through ``ReadableFile``: regular files only, opened non-blocking, at most
/// ``ReadableFile/Limit/label`` bytes.
enum SmallFile {
    struct Failure: Error { let reason: String }

    static func read(_ path: String, buffer: inout [UInt8]) -> Result<Data, Failure> {
        ReadableFile.read(path, limit: ReadableFile.Limit.label, what: "a label file", buffer: &buffer)
            .mapError { Failure(reason: $0.reason) }
    }
}
