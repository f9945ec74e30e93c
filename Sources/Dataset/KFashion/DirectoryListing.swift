import Foundation

/// Fast listing of a folder's file names (one `readdir` pass; a K-Fashion label folder holds
/// ~211,000 files). Names starting with `.` (`.DS_Store`, editor files) are left out.
public enum DirectoryListing {
    /// The regular files and symbolic links directly inside `url`, sorted by name.
    public static func fileNames(in url: URL) throws -> [String] {
        guard let dir = opendir(url.path) else {
            throw DatasetError.unreadableFolder(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            if type == UInt8(DT_DIR) { continue }
            if type == UInt8(DT_UNKNOWN) {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory), isDirectory.boolValue { continue }
            }
            names.append(name)
        }
        names.sort()
        return names
    }
}

/// Errors about the data set as a whole (a file-level problem is a ``SkippedFile`` instead).
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missingFolder(path: String, expected: String)
    case unreadableFolder(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFolder(let path, let expected): return "\(path): folder not found (\(expected))"
        case .unreadableFolder(let path, let reason): return "\(path): cannot list folder (\(reason))"
        }
    }
}

/// A file left out of a result, with the reason; reports list these instead of failing.
public struct SkippedFile: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Path relative to the data root (`training_label/x.json`) or as given.
    public let path: String
    public let reason: String

    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
