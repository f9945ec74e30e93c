import FashionBase
import Foundation
import Testing
@testable import Vision

/// torchvision's `RandomErasing.get_params` over many draws (Tools/make_erasing_reference.py).
struct ErasingReference: Decodable {
    struct Summary: Decodable { let mean: Double; let std: Double; let histogram: [Double] }
    struct Case: Decodable {
        let name: String; let height: Int; let width: Int; let scale: [Double]; let ratio: [Double]
        let missRate: Double; let erased: Int
        let top: Summary, left: Summary, rectHeight: Summary, rectWidth: Summary
    }
    let torchvision: String
    let draws: Int
    let cases: [Case]

    static let shared: ErasingReference = {
        let url = Bundle.module.url(forResource: "Reference/erasing", withExtension: "json")!
        return try! JSONDecoder().decode(ErasingReference.self, from: Data(contentsOf: url))
    }()
}

@Suite struct RandomErasingTests {
    static var caseNames: [String] { ErasingReference.shared.cases.map(\.name) }

    /// Our draws follow torchvision's distribution: the rate at which all ten attempts miss,
    /// and the mean and every histogram bin of the rectangle's top, left, height and width.
    /// The streams differ (torch's generator against ours), so the two are samples of one
    /// distribution: each difference must stay within 5 standard errors of the two samples
    /// (the seed is fixed, so the outcome is too; a wrong rule — a uniform rather than
    /// log-uniform ratio, `≤` for `<`, another rounding — moves the figures by far more).
    @Test(arguments: caseNames)
    func drawsFollowTorchvision(_ name: String) throws {
        let reference = ErasingReference.shared
        let c = try #require(reference.cases.first { $0.name == name })
        let n = 200_000
        var g = RandomGenerator(seed: 7)
        var tops: [Int] = [], lefts: [Int] = [], heights: [Int] = [], widths: [Int] = [], misses = 0
        for _ in 0..<n {
            guard let r = RandomErasing.rectangle(height: c.height, width: c.width, scale: c.scale[0]...c.scale[1],
                                                  ratio: c.ratio[0]...c.ratio[1], using: &g) else { misses += 1; continue }
            #expect(r.height < c.height && r.width < c.width && r.top + r.height <= c.height && r.left + r.width <= c.width)
            tops.append(r.top); lefts.append(r.left); heights.append(r.height); widths.append(r.width)
        }
        let theirs = Double(reference.draws), ours = Double(n)
        func proportionBound(_ a: Double, _ b: Double) -> Double {
            let pooled = (a * ours + b * theirs) / (ours + theirs)
            return 5 * (pooled * (1 - pooled) * (1 / ours + 1 / theirs)).squareRoot()
        }
        let missRate = Double(misses) / ours
        #expect(abs(missRate - c.missRate) <= proportionBound(missRate, c.missRate), "\(name): miss rate \(missRate) against \(c.missRate)")
        for (label, values, summary) in [("top", tops, c.top), ("left", lefts, c.left), ("height", heights, c.rectHeight), ("width", widths, c.rectWidth)] {
            let m = Double(values.count), mean = Double(values.reduce(0, +)) / m
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (m - 1)
            let bound = 5 * (variance / m + summary.std * summary.std / Double(c.erased)).squareRoot()
            #expect(abs(mean - summary.mean) <= bound, "\(name): mean \(label) \(mean) against \(summary.mean) (bound \(bound))")
            var counts = [Int](repeating: 0, count: summary.histogram.count)
            for v in values { counts[v] += 1 }
            for (bin, expected) in summary.histogram.enumerated() {
                let p = Double(counts[bin]) / m
                let pooled = (p * m + expected * Double(c.erased)) / (m + Double(c.erased))
                let binBound = 5 * (pooled * (1 - pooled) * (1 / m + 1 / Double(c.erased))).squareRoot()
                #expect(abs(p - expected) <= binBound, "\(name): \(label) = \(bin) in \(p) of draws against \(expected)")
            }
        }
    }

    @Test func erasesOneRectangleWithTheFill() {
        let image = PlanarImage(channels: 2, height: 10, width: 12, values: (0..<240).map { Float($0) + 1 })
        let erase = RandomErasing(p: 1, fill: .constant([-1, -2]))
        var g = RandomGenerator(seed: 3), again = RandomGenerator(seed: 3)
        let out = erase(image, using: &g)
        _ = again.uniform()
        let r = try? #require(RandomErasing.rectangle(height: 10, width: 12, scale: 0.02...0.33, ratio: 0.3...3.3, using: &again))
        guard let r else { return }
        for c in 0..<2 {
            for y in 0..<10 {
                for x in 0..<12 {
                    let i = (c * 10 + y) * 12 + x
                    let inside = (r.top..<(r.top + r.height)).contains(y) && (r.left..<(r.left + r.width)).contains(x)
                    #expect(out.values[i] == (inside ? Float(-1 - c) : image.values[i]))
                }
            }
        }
    }

    @Test func probabilityZeroAndMissesLeaveTheImage() {
        let image = PlanarImage(channels: 1, height: 6, width: 6, values: (0..<36).map(Float.init))
        var g = RandomGenerator(seed: 5)
        #expect(RandomErasing(p: 0)(image, using: &g) == image)
        // A rectangle can never fit (ratio ≥ 2 with most of the area): ten misses, unchanged.
        #expect(RandomErasing(p: 1, scale: 0.5...0.9, ratio: 2...6)(image, using: &g) == image)
        // p is honoured: about half the images are touched.
        let touched = (0..<2000).filter { _ in RandomErasing(p: 0.5)(image, using: &g) != image }.count
        #expect(abs(touched - 1000) < 5 * 23, "\(touched) of 2000 erased at p 0.5")   // 5σ, σ = √(2000·¼) ≈ 22.4
    }

    @Test func normalFillDrawsAroundItsMean() {
        let image = PlanarImage(channels: 1, height: 28, width: 28, fill: 0)
        var g = RandomGenerator(seed: 9), values: [Float] = []
        for _ in 0..<200 { values += RandomErasing(p: 1, fill: .normal(mean: [5], std: [2]))(image, using: &g).values.filter { $0 != 0 } }
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(values.count > 1000 && abs(mean - 5) < 5 * 2 / Float(values.count).squareRoot())
    }
}
