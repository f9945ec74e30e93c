import Foundation
import Models

extension Checkpoint {
    /// The metadata of a checkpoint for commands that need its class names (evaluate, features):
    /// nil when the file names no classes; a warning on standard error for every other key a
    /// default stood in for.
    static func opened(_ url: URL, _ loaded: Loaded? = nil) throws -> CheckpointMetadata? {
        let loaded = try loaded ?? open(contentsOf: url)
        guard !loaded.defaults.contains(where: { $0.key == "classes" }) else { return nil }
        for line in loaded.warnings(for: url.relativePath) {
            printError((line + " (Docs/CHECKPOINTS.md)\n"))
        }
        return loaded.metadata
    }
}
