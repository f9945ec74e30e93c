import ArgumentParser
import Foundation

/// `fashion`: fashion-style recognition and style-preference prediction, step by step.
@main
struct Fashion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion",
        abstract: "Fashion-style recognition and style-preference prediction on the K-Fashion layout.",
        version: "0.9.0",
        subcommands: [Synth.self, Stats.self, Labels.self, Preferences.self, Prepare.self, Train.self, Evaluate.self, TrainMNIST.self, Predict.self, Features.self, Recommend.self, FewShot.self, Report.self, Bench.self, Demo.self])

    /// Runs the command; a file-system error from Foundation is shown as "path: reason" instead
    /// of an `NSCocoaErrorDomain error 256` dump. Exit code non-zero on any error.
    static func main() {
        var command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            try command.run()
        } catch let error as ValidationError {
            // Found while running (a folder, a file, a flag against the data): the reason, not the usage.
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            type(of: command).exit(withError: FileSystemMessage(error) ?? error)
        }
    }
}

/// A Foundation file error as one line naming the path and the system's reason.
struct FileSystemMessage: Error, CustomStringConvertible {
    let description: String

    init?(_ error: Error) {
        guard let cocoa = error as? CocoaError else { return nil }
        let path = (cocoa.userInfo[NSFilePathErrorKey] as? String) ?? cocoa.filePath ?? cocoa.url?.path ?? "a file"
        var reason: String
        if let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? POSIXError {
            reason = String(cString: strerror(posix.code.rawValue))
        } else if let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code)))
        } else {
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
            case .fileWriteOutOfSpace: reason = "no space left on the device"
            case .fileWriteFileExists: reason = "already exists"
            case .fileReadCorruptFile: reason = "unreadable or not in the expected format"
            case .fileWriteVolumeReadOnly: reason = "read-only file system"
            default: reason = "file operation failed (Foundation code \(cocoa.code.rawValue))"
            }
        }
        description = "\(path): \(reason)"
    }
}
