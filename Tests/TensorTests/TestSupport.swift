import Foundation
import Testing
@testable import Tensor

/// A tensor of normal random values from a fixed seed.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, offset: Float = 0) -> Tensor {
    var g = RandomGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<Tensor.elementCount(shape)).map { _ in offset + scale * g.normal() })
}

/// Largest |a − b| / (atol + rtol·|b|) over two arrays; ≤ 1 means close.
func closeness(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> Float {
    precondition(a.count == b.count, "closeness: \(a.count) vs \(b.count) values")
    var worst: Float = 0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / (atol + rtol * abs(y))) }
    return worst
}

func expectClose(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-4,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values", sourceLocation: sourceLocation)
    guard a.count == b.count else { return }
    let c = closeness(a, b, atol: atol, rtol: rtol)
    #expect(c <= 1, "\(what): worst deviation \(c)× tolerance", sourceLocation: sourceLocation)
    if ProcessInfo.processInfo.environment["FASHION_TEST_MARGINS"] != nil {
        // Tools/tolerance_margins.sh collects these: how much of each bound a run used.
        FileHandle.standardError.write(Data("margin\t\(String(format: "%.4f", c))\t\(sourceLocation.fileName):\(sourceLocation.line)\t\(what)\n".utf8))
    }
}

/// Compares autograd's gradients of `f` with central finite differences. The scalar
/// objective is Σ f(inputs) ⊙ probe for a fixed random probe, so every output element
/// contributes. Evaluated in Float32, hence the loose default tolerances.
func checkGradients(_ inputs: [Tensor], _ what: String, eps: Float = 1e-2, atol: Float = 1e-2, rtol: Float = 2e-2,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Tensor]) -> Tensor) {
    let leaves = inputs.map { $0.requiringGrad() }
    let out = f(leaves)
    let probe = randomTensor(out.shape, seed: 99)
    (out * probe).sum().backward()
    func objective(_ xs: [Tensor]) -> Double {
        let y = withNoGrad { f(xs) }
        var s = 0.0
        for (a, b) in zip(y.scalars, probe.scalars) { s += Double(a) * Double(b) }
        return s
    }
    for (k, x) in inputs.enumerated() {
        guard let analytic = leaves[k].grad?.scalars else {
            Issue.record("\(what): input \(k) got no gradient", sourceLocation: sourceLocation); continue
        }
        var numeric = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = inputs, minus = inputs
            plus[k].withUnsafeMutableBufferPointer { $0[i] += eps }
            minus[k].withUnsafeMutableBufferPointer { $0[i] -= eps }
            numeric[i] = Float((objective(plus) - objective(minus)) / Double(2 * eps))
        }
        expectClose(analytic, numeric, atol: atol, rtol: rtol, "\(what) ∂/∂input\(k)", sourceLocation: sourceLocation)
    }
}

/// The committed PyTorch reference values (Tools/make_tensor_reference.py).
struct PyTorchReference {
    let cases: [String: [String: Any]]

    static let shared: PyTorchReference = {
        let url = Bundle.module.url(forResource: "pytorch", withExtension: "json", subdirectory: "Reference")!
        let data = try! Data(contentsOf: url)
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return PyTorchReference(cases: root["cases"] as! [String: [String: Any]])
    }()

    func tensor(_ c: String, _ key: String) -> Tensor {
        let e = cases[c]![key] as! [String: Any]
        let shape = (e["shape"] as! [NSNumber]).map(\.intValue)
        let data = (e["data"] as! [NSNumber]).map(\.floatValue)
        return Tensor(shape: shape, scalars: data)
    }

    func floats(_ c: String, _ key: String) -> [Float] { tensor(c, key).scalars }
    func number(_ c: String, _ key: String) -> Float { (cases[c]![key] as! NSNumber).floatValue }
    func ints(_ c: String, _ key: String) -> [Int] { (cases[c]![key] as! [NSNumber]).map(\.intValue) }
    func raw(_ c: String, _ key: String) -> Any { cases[c]![key]! }
}
