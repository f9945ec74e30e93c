import Testing
@testable import Tensor

/// The op profile names each op by its configuration, counts forward calls, times backward
/// closures, and records nothing once switched off.
@Suite(.serialized) struct OpProfileTests {
    @Test func namesCountsAndTimesEachOp() {
        var g = RandomGenerator(seed: 1)
        let x = Initializer.uniform([2, 3, 8, 8], bound: 1, generator: &g)
        let w = Initializer.uniform([4, 3, 3, 3], bound: 1, generator: &g).requiringGrad("w")
        let profile = OpProfile()
        profile.measure {
            for _ in 0..<2 {
                let y = conv2d(x, weight: w, padding: (1, 1)).relu()
                (y + y).sum().backward()
            }
        }
        let conv = "conv2d 3×3/1 3→4 at 8×8"
        #expect(Array(profile.order.prefix(3)) == [conv, "relu 4×8×8", "add 4×8×8"])
        #expect(profile.entries[conv]?.calls == 2)
        #expect((profile.entries[conv]?.backwardSeconds ?? 0) > 0)
        #expect((profile.entries[conv]?.forwardSeconds ?? 0) > 0)
        // y feeds the add twice: the two gradients are summed.
        #expect((profile.entries["accumulate gradient"]?.backwardSeconds ?? 0) > 0)
        #expect(OpProfile.active == nil)

        // Off: nothing more is recorded.
        let before = profile.entries[conv]?.calls
        _ = conv2d(x, weight: w, padding: (1, 1)).sum()
        #expect(profile.entries[conv]?.calls == before)
    }
}
