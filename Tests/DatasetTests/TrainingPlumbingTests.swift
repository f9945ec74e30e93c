import Testing
import Tensor
@testable import Dataset

@Suite struct TrainingPlumbingTests {
    @Test func plannerReproducesTheSeedsMultipliers() {
        let plan = AugmentationPlan(counts: SeedClassCounts.training)
        let military = plan.entries.first { $0.className == "military_W" }!
        #expect(military.multiplier == 60 && military.total == 2013)
        let normcore = plan.entries.first { $0.className == "normcore_M" }!
        #expect(normcore.multiplier == 4 && normcore.total == 1820)
        #expect(plan.total == 61_582)
        #expect(SeedClassCounts.training.values.reduce(0, +) == 4070)
        #expect(SeedClassCounts.validation.values.reduce(0, +) == 951)
        #expect(AugmentationPlan.multiplier(count: 2500, target: 2000) == 0)
        #expect(AugmentationPlan.multiplier(count: 400, target: 1000) == 2)    // 1.5 → 2 (half to even)
        #expect(AugmentationPlan.multiplier(count: 400, target: 1400) == 2)    // 2.5 → 2 (half to even)
        #expect(AugmentationPlan(counts: ["a_W": 10], target: 100).multiplier(of: "a_W") == 9)
    }

    @Test func labelEncoderSortsClasses() throws {
        let encoder = LabelEncoder(fitting: ["punk_W", "bold_M", "punk_W", "athleisure_W"])
        #expect(encoder.classes == ["athleisure_W", "bold_M", "punk_W"])
        #expect(encoder.encode("punk_W") == 2 && encoder.encode("nope") == nil && encoder.decode(1) == "bold_M")
        #expect(LabelEncoder(fitting: SeedClassCounts.training.keys).count == 31)
    }

    @Test func weightedSamplerBalancesClasses() {
        // Class 0 has 90 items, class 1 has 9, class 2 has 1: inverse-count weights make them equally likely.
        let classes = [Int](repeating: 0, count: 90) + [Int](repeating: 1, count: 9) + [2]
        let sampler = WeightedRandomSampler(classIndices: classes, sampleCount: 60_000)
        var rng = RandomGenerator(seed: 42)
        let drawn = sampler.indices(using: &rng)
        #expect(drawn.count == 60_000)
        var perClass = [0, 0, 0]
        for i in drawn { perClass[classes[i]] += 1 }
        for c in perClass { #expect(abs(Double(c) / 60_000 - 1.0 / 3) < 0.01, "\(perClass)") }
        var again = RandomGenerator(seed: 42)
        #expect(sampler.indices(using: &again) == drawn)
    }
}
