import Testing
@testable import Recommender

@Suite struct CosineSimilarityTests {
    @Test func matrixMatchesPairwiseCosines() {
        let raw: [Float] = [1, 0, 0,  1, 1, 0,  0, 0, 0,  -2, 0, 0]
        let f = NormalizedFeatures(raw, count: 4, dimension: 3)
        let m = f.similarityMatrix()
        #expect(abs(m[0 * 4 + 1] - 1 / Float(2).squareRoot()) < 1e-6)
        #expect(m[0 * 4 + 2] == 0, "a zero vector is dissimilar to everything")
        #expect(abs(m[0 * 4 + 3] + 1) < 1e-6)
        for i in 0..<4 { for j in 0..<4 { #expect(abs(m[i * 4 + j] - f.similarity(i, j)) < 1e-6) } }
    }
}
