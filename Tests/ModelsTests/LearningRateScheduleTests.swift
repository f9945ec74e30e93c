import Foundation
import Testing
@testable import Models

struct LearningRateScheduleTests {
    /// PyTorch 2.15's OneCycleLR(max_lr=0.1, total_steps=21, pct_start=0.3, div_factor=25,
    /// final_div_factor=1e4, cycle_momentum=False), from Tools/make_schedule_reference.py.
    static let torchOneCycle: [Double] = [
        0.0040000000000000036, 0.012188527098390314, 0.03396027605851658, 0.06188697369957272, 0.08644034833812791,
        0.09924306774148466, 0.09944154354509119, 0.09673623556045154, 0.09190443762697105, 0.08516599658482699,
        0.07682751154913771, 0.0672683836480545, 0.056923553268744854, 0.046263710266697504, 0.035773877573965704,
        0.02593134265232537, 0.01718394091038552, 0.009929679189326548, 0.004498626448808909, 0.0011378956269720922, 4e-07,
    ]

    @Test func oneCycleMatchesPyTorch() {
        let schedule = LearningRateSchedule.oneCycle(epochs: 3, warmup: 0.3, div: 25, finalDiv: 1e4)
        #expect(schedule.perBatch)
        for step in 0..<21 {
            let rate = schedule.rate(base: 0.1, epoch: step / 7, batch: step % 7, of: 7)
            #expect(abs(rate - Self.torchOneCycle[step]) <= 1e-12 * max(1, Self.torchOneCycle[step]), "step \(step): \(rate)")
        }
    }

    @Test func epochSchedulesIgnoreTheBatch() {
        let cosine = LearningRateSchedule.cosine(epochs: 4, minimum: 0)
        #expect(!cosine.perBatch)
        #expect(cosine.rate(base: 1, epoch: 2, batch: 5, of: 9) == cosine.rate(base: 1, epoch: 2))
        #expect(abs(cosine.rate(base: 1, epoch: 2) - 0.5) < 1e-12)
        #expect(LearningRateSchedule.step(every: 2, gamma: 0.1).rate(base: 1, epoch: 3, batch: 1, of: 2) == 0.1)
    }
}
