import Foundation
import Testing
@testable import Models
@testable import Recommender

/// Values from scikit-learn 1.9.1 / NumPy 2.4.6 (Tools/make_roc_reference.py → Reference/roc.json).
struct ROCReference: Decodable {
    struct Case: Decodable {
        let name: String
        let labels: [Int]
        let scores: [Double]
        let fpr: [Double], tpr: [Double], thresholds: [Double?]
        let fpr_all: [Double], tpr_all: [Double], thresholds_all: [Double?]
        let auc: Double
        let youden_index: Int
        let youden_threshold: Double?
        let accuracy_at_0: Double, accuracy_at_youden: Double
    }
    let cases: [Case]
    let matrix: [[Float]]
    let median_odd: [Float], median_even: [Float]
    let minmax_fit_first_4: [[Float]]

    static let loaded: ROCReference = {
        let url = Bundle.module.url(forResource: "Reference/roc", withExtension: "json")!
        return try! JSONDecoder().decode(ROCReference.self, from: Data(contentsOf: url))
    }()
}

@Suite struct ROCReferenceTests {
    func close(_ a: [Double], _ b: [Double], _ what: String) {
        #expect(a.count == b.count, "\(what): \(a.count) points, scikit-learn \(b.count)")
        for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-12, "\(what): \(a) vs \(b)") }
    }

    @Test(arguments: ROCReference.loaded.cases.map(\.name))
    func rocCurveMatchesScikitLearn(_ name: String) {
        let c = ROCReference.loaded.cases.first { $0.name == name }!
        let labels = c.labels.map { $0 == 1 }
        let roc = ROCCurve(labels: labels, scores: c.scores)
        close(roc.fpr, c.fpr, "\(name) fpr"); close(roc.tpr, c.tpr, "\(name) tpr")
        #expect(roc.thresholds.first == .infinity)
        close(Array(roc.thresholds.dropFirst()), c.thresholds.dropFirst().map { $0! }, "\(name) thresholds")
        let all = ROCCurve(labels: labels, scores: c.scores, dropIntermediate: false)
        close(all.fpr, c.fpr_all, "\(name) fpr (all)"); close(all.tpr, c.tpr_all, "\(name) tpr (all)")
        #expect(abs(roc.area - c.auc) < 1e-12)
        #expect(roc.youden.index == c.youden_index)
        #expect(roc.youden.threshold == (c.youden_threshold ?? .infinity))
        #expect(BinaryMetrics.accuracy(labels: labels, scores: c.scores, threshold: 0, strict: true).accuracy == c.accuracy_at_0)
        #expect(BinaryMetrics.accuracy(labels: labels, scores: c.scores, threshold: roc.youden.threshold, strict: false).accuracy
                == c.accuracy_at_youden)
    }

    @Test func oneClassGivesNaNRatesAndNoArea() {
        let roc = ROCCurve(labels: [true, true, true], scores: [0.1, 0.2, 0.3])
        #expect(roc.fpr.allSatisfy { $0.isNaN })
        #expect(roc.area.isNaN)
    }

    @Test func medianMatchesNumPy() throws {
        let ref = ROCReference.loaded
        let d = ref.matrix[0].count
        let odd = FeatureStore.columnMedian(ref.matrix.flatMap { $0 }, count: 7, dimension: d)
        let even = FeatureStore.columnMedian(ref.matrix.prefix(6).flatMap { $0 }, count: 6, dimension: d)
        for j in 0..<d {
            #expect(abs(odd[j] - ref.median_odd[j]) < 1e-6)
            #expect(abs(even[j] - ref.median_even[j]) < 1e-6)
        }
    }

    @Test func minMaxScalerMatchesScikitLearn() {
        let ref = ROCReference.loaded
        let d = ref.matrix[0].count
        let scaler = MinMaxScaler(fitting: ref.matrix.prefix(4).flatMap { $0 }, count: 4, dimension: d)
        let scaled = scaler.transform(ref.matrix.flatMap { $0 })
        for (a, b) in zip(scaled, ref.minmax_fit_first_4.flatMap { $0 }) { #expect(abs(a - b) < 1e-6) }
    }
}
