import Dataset
import Foundation

// A small look-alike K-Fashion tree in the real layout, then mission 1-1's table.
let root = FileManager.default.temporaryDirectory.appendingPathComponent("kfashion-example-\(getpid())")
defer { try? FileManager.default.removeItem(at: root) }
var options = KFashionGenerator.Options()
options.scale = 0.02; options.imageWidth = 48; options.respondents = 20; options.orphanLabels = 0
_ = try KFashionGenerator(options: options).generate(into: root)
let statistics = try ImageStatistics(tree: KFashionTree(root: root))
print(try statistics.report.rendered(as: .markdown))
