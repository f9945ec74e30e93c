import FashionBase
import ArgumentParser
import Foundation

/// Every `print` of the command-line tool goes through here (it shadows the standard library's
/// in this module): names read from files — photos, label files, a checkpoint's classes — can
/// hold terminal escape sequences, which are printed escaped (``TerminalText/escaped(_:)``).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    guard !TerminalOutput.quiet else { return }
    let text = items.map { TerminalText.escaped(String(describing: $0)) }.joined(separator: separator)
    Swift.print(text, terminator: terminator)
}

extension Fashion {
    /// Ends the process for `error`: help and version as the argument parser prints them, every
    /// other message on standard error with control characters escaped, its exit code kept.
    static func exitEscaped(_ error: Error, command: ParsableCommand.Type = Fashion.self) -> Never {
        let code = command.exitCode(for: error)
        if code == .success { command.exit(withError: error) }
        let message = command.fullMessage(for: error)
        World.report(TerminalText.escaped(message))
        World.end(code.rawValue)
    }
}

/// Writes `text` to standard error as it is, but for control characters, which are escaped.
func printError(_ text: String) {
    guard !TerminalOutput.quiet else { return }
    FileHandle.standardError.write(Data(TerminalText.escaped(text).utf8))
}
