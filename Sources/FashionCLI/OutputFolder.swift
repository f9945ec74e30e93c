import ArgumentParser
import Dataset
import Foundation
import Tensor
import Vision

/// Makes an output folder (and its parents), or says which path is in the way and why — the one
/// rule of every command: an output's missing folders are created, as `mkdir -p`; clears
/// the temporaries a killed earlier run left in it (``AtomicFile/removeLeftovers(in:)``).
/// Folders written by a library run (`train`, `prepare`) are locked by it.
enum OutputFolder {
    /// `lock`: a folder the command writes several files into is also locked for the rest of the
    /// process (``FolderLock``): another process writing it is refused with its id.
    static func create(_ url: URL, option: String, lock: Bool = false) throws {
        do { try AtomicFile.createFolder(url) } catch let error as AtomicFile.WriteError {
            throw ValidationError("\(option) \(url.path): cannot create the folder (\(error.reason))")
        }
        guard lock else { return }
        do { try FolderLock.acquire(url) } catch let busy as FolderLock.Busy {
            throw ValidationError("\(option) \(busy)")
        }
    }
}

/// Skipped files of a command that writes a folder: a summary on standard error and
/// `skipped.csv` (file, reason) in the folder.
enum SkippedReport {
    static func note(_ skipped: [SkippedFile], folder: URL) throws {
        printError(SkippedFile.summary(skipped))
        try OutputFolder.create(folder, option: "output folder")
        try SkippedFile.write(skipped, to: folder.appendingPathComponent("skipped.csv"))
    }
}
