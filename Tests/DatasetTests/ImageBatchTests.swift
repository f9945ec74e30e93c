import Testing
import Tensor
import Vision
@testable import Dataset

/// `Tensor(batch:)`: images stacked into an N×C×H×W batch (it lives in Dataset, which joins Vision and Tensor).
@Suite struct ImageBatchTests {
    @Test func batchTensorIsNCHW() {
        let a = Image(width: 3, height: 2, channels: 1, filledWith: 255)
        let b = Image(width: 3, height: 2, channels: 1, filledWith: 0)
        let t = Tensor(batch: [a, b])
        #expect(t.shape == [2, 1, 2, 3])
        #expect(t.scalars == [Float](repeating: 1, count: 6) + [Float](repeating: 0, count: 6))
    }
}
