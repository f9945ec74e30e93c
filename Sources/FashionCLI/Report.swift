import ArgumentParser
import Foundation
import Tensor

/// One HTML page with plots over a folder of outputs.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One self-contained HTML page (inline SVG plots, no network) over a folder of outputs: class counts, label and preference tables, preparation, training curves, per-class accuracy, confusion matrix, ROC curves, the few-shot table.")

    @Option(help: "Folder of outputs (what `make demo` writes, or any folder the commands wrote to).") var runs = "demo-output"
    @Option(name: [.customLong("out"), .customLong("output")], help: "The page to write (default: RUNS/report.html).") var out: String?

    func run() throws {
        let root = URL(fileURLWithPath: runs)
        let page = try ReportPage(root: root)
        let target = URL(fileURLWithPath: out ?? root.appendingPathComponent("report.html").path)
        try OutputFolder.create(target.deletingLastPathComponent(), option: "--out")
        let sections = page.sections()   // read the folder once (photos are inlined)
        guard sections.contains(where: { $0.body != nil }) else {
            throw ValidationError("\(runs) holds none of the outputs the page shows (no report, run or recommend folder); "
                                  + "run `fashion demo` (it writes demo-output/), or point --runs at the folder your commands wrote to")
        }
        try AtomicFile.write(Data(page.html(sections: sections).utf8), to: target)
        let present = sections.filter { $0.body != nil }.map(\.title), missing = sections.filter { $0.body == nil }.map(\.title)
        print("wrote \(target.path): \(present.count) section\(present.count == 1 ? "" : "s")" + (missing.isEmpty ? "" : "; not in \(runs): \(missing.joined(separator: ", "))"))
    }
}
