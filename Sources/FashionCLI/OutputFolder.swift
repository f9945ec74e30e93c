import ArgumentParser
import Dataset
import Foundation
import Tensor
import Vision

/// Makes an output folder (and its parents), or says which path is in the way and why — the one
/// rule of every command: an output's missing folders are created, as `mkdir -p`; clears
/// the temporaries a killed earlier run left in it (``AtomicFile/removeLeftovers(in:)``).
enum OutputFolder {
    static func create(_ url: URL, option: String) throws {
        do { try AtomicFile.createFolder(url) } catch let error as AtomicFile.WriteError {
            throw ValidationError("\(option) \(url.path): cannot create the folder (\(error.reason))")
        }
    }
}

/// Skipped files of a command that writes a folder: a summary on standard error and
/// `skipped.csv` (file, reason) in the folder.
enum SkippedReport {
    static func note(_ skipped: [SkippedFile], folder: URL) throws {
        FileHandle.standardError.write(Data(SkippedFile.summary(skipped).utf8))
        try OutputFolder.create(folder, option: "output folder")
        try SkippedFile.write(skipped, to: folder.appendingPathComponent("skipped.csv"))
    }
}
