import ArgumentParser

/// `fashion demo`: everything that exists, end to end, on the embedded default data.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every step that exists on the embedded default data.")
    func run() throws {
        print("demo: not yet")
    }
}
