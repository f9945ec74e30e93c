import Testing
@testable import Tensor

@Suite struct RandomTests {
    @Test func sameSeedSameStream() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }, xc = (0..<100).map { _ in c.next() }
        #expect(xa == xb && xa != xc)
    }

    @Test func uniformAndNormalMoments() {
        var g = RandomGenerator(seed: 1)
        let u = (0..<100_000).map { _ in g.uniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / 100_000 - 0.5) < 0.01)
        let n = (0..<100_000).map { _ in g.normal() }
        let mean = n.reduce(0, +) / 100_000
        let variance = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 100_000
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.02)
    }

    @Test func permutationIsAPermutation() {
        var g = RandomGenerator(seed: 2)
        let p = g.permutation(1000)
        #expect(p.sorted() == Array(0..<1000) && p != Array(0..<1000))
    }

    @Test func multinomialFollowsWeights() {
        var g = RandomGenerator(seed: 3)
        let draws = g.multinomial(weights: [1, 0, 3], count: 40_000)
        let counts = [0, 1, 2].map { k in draws.filter { $0 == k }.count }
        #expect(counts[1] == 0)
        #expect(abs(Double(counts[2]) / 40_000 - 0.75) < 0.01)
        let unique = g.multinomial(weights: [1, 1, 1, 1], count: 4, replacement: false)
        #expect(unique.sorted() == [0, 1, 2, 3])
    }

    @Test func stateRoundTripsThroughCodable() throws {
        var g = RandomGenerator(seed: 9)
        _ = g.normal()
        let saved = g
        let a = (0..<10).map { _ in g.normal() }
        var restored = saved
        #expect((0..<10).map { _ in restored.normal() } == a)
    }
}
