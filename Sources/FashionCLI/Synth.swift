import ArgumentParser
import Dataset
import Foundation

/// Generates a K-Fashion look-alike set in the real layout.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a K-Fashion look-alike set (real layout, names, JSON schema; the seed's class counts at scale 1).")

    @Option(name: [.customLong("out"), .customLong("output")], help: "Output root; the four K-Fashion folders are created inside.")
    var out: String = "data/kfashion"

    @Option(help: "Random seed (the same seed and options give the same files).")
    var seed: UInt64 = 42

    @Option(help: "Multiplies every class count; 1 reproduces the seed's 4,070 + 951 photos.")
    var scale: Double = 1

    @Option(help: "Photo width in pixels (height is 4/3 of it).")
    var width: Int = 120

    @Option(help: "Respondents (default 1,500 × scale).")
    var respondents: Int?

    @Option(help: "Label files about photos that are not in the set (default three per valid label; the real set has ~230,000).")
    var orphanLabels: Int?

    @Flag(name: [.customLong("overwrite"), .customLong("restart")], help: "Replace an existing set in --out.")
    var overwrite = false

    func validate() throws {
        guard scale > 0 && scale <= 20 else { throw ValidationError("--scale must be in (0, 20]") }
        guard width >= 16 && width <= 4000 else { throw ValidationError("--width must be in 16…4000") }
    }

    func run() throws {
        var options = KFashionGenerator.Options()
        options.seed = seed
        options.scale = scale
        options.imageWidth = width
        options.respondents = respondents
        options.orphanLabels = orphanLabels
        let bar = TerminalProgress(total: 1, label: "synth: files")
        let summary = try KFashionGenerator(options: options).generate(into: URL(fileURLWithPath: out), overwrite: overwrite) { done, total in
            bar.update(done, of: total)
        }
        bar.finish()
        print("""
        wrote \(out): \(summary.trainingImages) training + \(summary.validationImages) validation photos, \
        \(summary.validLabels) valid + \(summary.orphanLabels) orphan label files, \(summary.respondents) respondents \
        in \(String(format: "%.1f", summary.seconds)) s
        planted contradiction: \(summary.contradiction.joined(separator: " vs "))
        each answer's true probability of a like (read by no command; Tools/bayes_ceiling.py): \(summary.truth)
        """)
    }
}
