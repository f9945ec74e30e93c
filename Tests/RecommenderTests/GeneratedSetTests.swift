import TestSupport
import Foundation
import Testing
import Tensor
@testable import Dataset
@testable import Recommender

/// Mission 3 on a generated set, through mission 2-2's own table: the generator's tastes
/// follow a style's look, so features that know the style predict likes far above chance.
@Suite struct GeneratedSetTests {
    @Test func preferencesAreLearnableFromStyleFeatures() throws {
        let root = TemporaryFolder.name("kfashion-rec")
        defer { try? FileManager.default.removeItem(at: root) }
        var options = KFashionGenerator.Options()
        options.imageWidth = 24; options.respondents = 600; options.orphanLabels = 0
        _ = try KFashionGenerator(options: options).generate(into: root)
        let tree = try KFashionTree(root: root)
        let images = try ImageStatistics(tree: tree)
        let table = PreferenceTable(tree: tree, labels: try LabelStatistics(tree: tree, images: images))
        let pairs = RatedPairs(table: table)
        #expect(pairs.training.count + pairs.validation.count == table.answers.count)
        #expect(Set(pairs.validation.map(\.respondent)).isSubset(of: Set(table.respondents.map(\.respondent))))

        // Features: the style as a one-hot vector plus noise (what a good classifier's features separate).
        let records = images.training + images.validation
        let classes = Array(Set(records.map(\.key.className))).sorted()
        var g = RandomGenerator(seed: 9)
        var stems: [String] = [], values: [Float] = []
        for r in records where !stems.contains(r.key.canonicalStem) {
            stems.append(r.key.canonicalStem)
            let c = classes.firstIndex(of: r.key.className)!
            values += classes.indices.map { ($0 == c ? 1 : 0) + 0.2 * abs(g.normal()) }
        }
        let store = try FeatureStore(stems: stems, values: values, dimension: classes.count)
        let e = try PreferenceEvaluation(store: store, pairs: pairs)
        #expect(e.missingStems.isEmpty)
        let byName = Dictionary(uniqueKeysWithValues: e.results.map { ($0.method, $0.metrics) })
        let centroid = try #require(byName["item-centroid"])
        #expect(centroid.accuracyAtTrainThreshold > 0.65, "\(centroid)")
        #expect((centroid.auc ?? 0) > 0.7)
        #expect((byName["item"]?.auc ?? 0) > 0.55, "the seed's method is above chance too")
    }
}
