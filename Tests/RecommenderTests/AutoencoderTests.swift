import Foundation
import Testing
import Tensor
@testable import Models
@testable import Recommender

@Suite struct AutoencoderTests {
    @Test func layersAndNamesAreTheCamps() {
        let ae = FeatureAutoencoder(dimension: 512)
        #expect(ae.stateDictionary().keys == ["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "encoder.2.bias",
                                              "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias"])
        #expect(ae.encoder.layers.count == 4 && ae.decoder.layers.last is Sigmoid)
        let x = Tensor(shape: [3, 512], repeating: 0.5)
        let y = withNoGrad { ae(x) }
        #expect(y.shape == [3, 512] && y.scalars.allSatisfy { $0 > 0 && $0 < 1 })
    }

    /// Rows drawn near 4 prototypes: 200 epochs must beat the mean vector clearly, and the codes
    /// must keep the clusters apart (same-cluster cosine above cross-cluster cosine).
    @Test func learnsStructuredFeatures() throws {
        var g = RandomGenerator(seed: 5)
        let d = 32, n = 160
        let prototypes = (0..<4).map { _ in (0..<d).map { _ in max(0, g.normal() * 2) } }
        var values: [Float] = [], stems: [String] = []
        for i in 0..<n {
            values += prototypes[i % 4].map { max(0, $0 + 0.1 * g.normal()) }
            stems.append("s\(i)")
        }
        let store = try FeatureStore(stems: stems, values: values, dimension: d)
        var ae = AutoencodedFeatures()
        ae.epochs = 200; ae.hidden = 16; ae.code = 8
        let r = try ae.run(store, trainingStems: Set(stems.prefix(120)))
        #expect(r.trainingRows == 120)
        #expect(r.reconstructionError < 0.5 * r.meanVectorError, "\(r.reconstructionError) vs \(r.meanVectorError)")
        #expect(r.log.epochLosses.last! < r.log.epochLosses.first!)
        let codes = r.store
        #expect(codes.dimension == 8 && codes.count == n)
        var same = 0.0, cross = 0.0
        for i in 0..<40 { same += Double(codes.similarity(i, i + 4)); cross += Double(codes.similarity(i, i + 1)) }
        #expect(same > cross)
    }

    @Test func nonFiniteLossStopsWithAnError() {
        let ae = FeatureAutoencoder(dimension: 4, hidden: 4, code: 2)
        #expect(throws: TrainingError.self) { try ae.train([0, 1, .nan, 0], count: 1, epochs: 2) }
    }
}
