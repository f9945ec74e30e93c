import Dataset
import Foundation

/// A tiny generated K-Fashion tree (scale 0.02, ten respondents, no orphan labels) for the
/// tests that train or extract on real-layout photos.
enum TinyKFashion {
    static func generate(into root: URL, width: Int) throws {
        var options = KFashionGenerator.Options()
        options.scale = 0.02; options.imageWidth = width; options.respondents = 10; options.orphanLabels = 0
        _ = try KFashionGenerator(options: options).generate(into: root)
    }
}
