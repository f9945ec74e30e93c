import ArgumentParser
import FashionBase
import Foundation

/// `fashion`: fashion-style recognition and style-preference prediction, step by step.
@main
struct Fashion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion",
        abstract: "Fashion-style recognition and style-preference prediction on the K-Fashion layout.",
        version: "0.9.0",
        subcommands: [Synth.self, Stats.self, Labels.self, Preferences.self, Prepare.self, Train.self, Evaluate.self, TrainMNIST.self, EvaluateMNIST.self, Predict.self, Features.self, Recommend.self, FewShot.self, Report.self, Bench.self, Demo.self])

    /// Runs the command; a file-system error from Foundation is shown as "path: reason" instead
    /// of an `NSCocoaErrorDomain error 256` dump. Exit code non-zero on any error.
    static func main() {
        ReproducibleKernels.ensure()
        // One line at a time even when standard output is a file or a pipe: a killed run's log
        // keeps every line it printed, and `tail -f` shows each epoch as it ends.
        setvbuf(stdout, nil, _IOLBF, 0)
        Interruption.install()
        // A file-size limit (`ulimit -f`) makes a write fail with EFBIG, reported like a full
        // disk, instead of killing the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        var command: ParsableCommand
        let words = Array(CommandLine.arguments.dropFirst())
        if let unknown = unknownSubcommand(words.first)
            ?? (words.first == "bench" ? unknownSubcommand(words.dropFirst().first, among: Bench.configuration.subcommands, command: "fashion bench") : nil) {
            printError((unknown + "\n"))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        do { command = try parseAsRoot() } catch { exitEscaped(error) }
        do {
            try command.run()
        } catch let error as ValidationError {
            // Found while running (a folder, a file, a flag against the data): the reason, not the
            // usage, and exit 1 like every other failure of a run (64 is for command lines that
            // do not parse or validate).
            World.report("Error: \(TerminalText.escaped(error.message))")
            World.end(ExitCode.failure.rawValue)
        } catch {
            exitEscaped(FileSystemMessage(error) ?? error, command: type(of: command))
        }
    }
}

extension Fashion {
    /// The message for a first argument that is no subcommand (nil when it is one, or a flag):
    /// the closest names by edit distance, as git does (`did you mean train?`).
    static func unknownSubcommand(_ word: String?, among commands: [ParsableCommand.Type] = configuration.subcommands,
                                  command: String = "fashion") -> String? {
        guard let word, !word.hasPrefix("-"), word != "help" else { return nil }
        let names = commands.map { $0._commandName }
        guard !names.contains(word) else { return nil }
        let scored = names.map { (name: $0, distance: editDistance(word.lowercased(), $0)) }
        let best = scored.map(\.distance).min() ?? .max
        let close = best <= max(2, word.count / 3) ? scored.filter { $0.distance == best }.map(\.name) : []
        let hint = close.isEmpty ? "commands: \(names.joined(separator: ", "))"
                                 : "did you mean \(close.map { "'\($0)'" }.joined(separator: " or "))?"
        return "Error: '\(word)' is not a \(command) command; \(hint)\nSee '\(command) --help'."
    }

    /// Levenshtein distance (insertions, deletions, substitutions; an adjacent swap counts one).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}

/// A Foundation file error as one line naming the path and the system's reason.
