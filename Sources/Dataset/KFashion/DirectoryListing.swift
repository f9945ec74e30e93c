import Foundation

/// Fast listing of a folder's file names (one `readdir` pass; a K-Fashion label folder holds
/// ~211,000 files). Names starting with `.` (`.DS_Store`, editor files) are left out.
public enum DirectoryListing {
    /// The regular files and symbolic links directly inside `url`, sorted by name unless
    /// `sorted` is false (directory order — sorting 211,000 names costs more than listing them).
    public static func fileNames(in url: URL, sorted: Bool = true) throws -> [String] {
        var names: [String] = []
        try forEachName(in: url) { names.append(String(decoding: $0, as: UTF8.self)) }
        if sorted { names.sort() }
        return names
    }

    /// ``fileNames(in:sorted:)`` and what it leaves out, each with the reason (``leftOutFolder``,
    /// ``leftOutHidden``), so a command lists them among its skipped files instead of
    /// dropping them silently.
    public static func listing(in url: URL, sorted: Bool = true) throws -> (names: [String], left: [(name: String, reason: String)]) {
        var names: [String] = [], left: [(name: String, reason: String)] = []
        try forEachName(in: url, leftOut: { left.append(($0, $1)) }) { names.append(String(decoding: $0, as: UTF8.self)) }
        if sorted { names.sort() }
        return (names, left.sorted { $0.name < $1.name })
    }

    /// Why a sub-folder is not listed.
    public static let leftOutFolder = "a folder, not a file (sub-folders are not searched)"
    /// Why a hidden name is not listed.
    public static let leftOutHidden = "hidden (the name starts with a dot)"

    /// Calls `body` with each file name's bytes (valid only during the call), in directory
    /// order, without making a `String` per name; `leftOut(name, reason)` hears of each
    /// sub-folder and hidden name passed over.
    public static func forEachName(in url: URL, leftOut: ((String, String) -> Void)? = nil,
                                   _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let dir = opendir(url.path) else {
            throw DatasetError.unreadableFolder(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            try withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                try tuple.withMemoryRebound(to: UInt8.self, capacity: Int(NAME_MAX) + 1) { p in
                    let name = UnsafeBufferPointer(start: p, count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)))
                    if name.isEmpty || (name[0] == UInt8(ascii: ".") && (name.count == 1 || (name.count == 2 && name[1] == UInt8(ascii: "."))))  { return }
                    var isDirectory = type == UInt8(DT_DIR)
                    if type == UInt8(DT_UNKNOWN) {
                        var flag: ObjCBool = false
                        let path = url.appendingPathComponent(String(decoding: name, as: UTF8.self)).path
                        isDirectory = FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
                    }
                    if isDirectory { leftOut?(String(decoding: name, as: UTF8.self), leftOutFolder); return }
                    if name[0] == UInt8(ascii: ".") { leftOut?(String(decoding: name, as: UTF8.self), leftOutHidden); return }
                    try body(name)
                }
            }
        }
    }
}

/// Errors about the data set as a whole (a file-level problem is a ``SkippedFile`` instead).
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missingFolder(path: String, expected: String)
    case unreadableFolder(path: String, reason: String)
    /// An output folder already holds what a command would write, and replacing it was not asked for.
    case occupiedFolder(path: String, remedy: String)

    public var description: String {
        switch self {
        case .missingFolder(let path, let expected): return "\(path): folder not found (\(expected))"
        case .unreadableFolder(let path, let reason): return "\(path): cannot list folder (\(reason))"
        case .occupiedFolder(let path, let remedy): return "\(path): already holds files; \(remedy)"
        }
    }
}
