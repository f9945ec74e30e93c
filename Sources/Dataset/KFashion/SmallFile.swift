import Foundation

/// Reads a whole small file with plain `open`/`read` into a caller's scratch buffer — no
/// FileManager or URL per file (mission 2-2 reads ~20,000 label files).
enum SmallFile {
    struct Failure: Error { let reason: String }

    static func read(_ path: String, buffer: inout [UInt8]) -> Result<Data, Failure> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(Failure(reason: "cannot open (\(String(cString: strerror(errno))))")) }
        defer { close(fd) }
        var data = Data()
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(reason: "cannot read (\(String(cString: strerror(errno))))"))
            }
            if n == 0 { break }
            if data.isEmpty && n < buffer.count {
                // The common case: the whole file in one read.
                data = Data(buffer[0..<n])
                let more = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if more == 0 { return .success(data) }
                if more < 0 { return .failure(Failure(reason: "cannot read (\(String(cString: strerror(errno))))")) }
                data.append(contentsOf: buffer[0..<more])
                continue
            }
            data.append(contentsOf: buffer[0..<n])
        }
        return .success(data)
    }
}
