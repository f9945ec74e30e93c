import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Foundation file error (`NSCocoaErrorDomain error 256`, `Code=640`) as `path: reason` in
/// the system's words (`no space left on the device`), for every place that reports one.
public struct FileSystemMessage: Error, CustomStringConvertible, Sendable {
    /// `path: reason`.
    public let description: String

    /// The message of a Foundation file error; nil for any other error.
    public init?(_ error: Error) {
        guard let cocoa = error as? CocoaError else { return nil }
        let path = (cocoa.userInfo[NSFilePathErrorKey] as? String) ?? cocoa.filePath ?? cocoa.url?.path ?? "a file"
        description = "\(path): \(Self.reason(cocoa))"
    }

    /// The reason alone, in the system's words, for any error (a Foundation file error, a POSIX
    /// error, or the error's own description).
    public static func reason(of error: Error) -> String {
        if let cocoa = error as? CocoaError { return reason(cocoa) }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return "\(error)"
    }

    static func reason(_ cocoa: CocoaError) -> String {
        if let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        } else if let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteFileExists: return "already exists"
        case .fileReadCorruptFile: return "unreadable or not in the expected format"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        default: return "file operation failed (Foundation code \(cocoa.code.rawValue))"
        }
    }
}
