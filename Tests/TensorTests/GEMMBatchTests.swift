import Testing
@testable import Tensor

/// Several products in one parallel region give each product's own sgemm bit for bit: the
/// same blocks, the same calls (shapes split by columns, by rows, and below the threshold).
@Suite struct GEMMBatchTests {
    @Test(arguments: [(512, 32, 512), (64, 1568, 64), (40, 24, 16), (300, 260, 70)])
    func manyProductsMatchOneByOne(_ m: Int, _ n: Int, _ k: Int) {
        var g = RandomGenerator(seed: UInt64(m * n + k))
        let count = 5
        let a = (0..<(count * m * k)).map { _ in g.normal() }, b = (0..<(count * k * n)).map { _ in g.normal() }
        var one = [Float](repeating: 0.5, count: count * m * n), many = one
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let a = a.baseAddress!, b = b.baseAddress!
                one.withUnsafeMutableBufferPointer { c in
                    for i in 0..<count {
                        GEMM.sgemm(m: m, n: n, k: k, a: a + i * m * k, lda: k, b: b + i * k * n, ldb: n,
                                   beta: i.isMultiple(of: 2) ? 0 : 1, c: c.baseAddress! + i * m * n, ldc: n)
                    }
                }
                many.withUnsafeMutableBufferPointer { c in
                    let c = c.baseAddress!
                    GEMM.sgemm(count) { i in
                        GEMM.Product(m: m, n: n, k: k, a: a + i * m * k, lda: k, b: b + i * k * n, ldb: n,
                                     beta: i.isMultiple(of: 2) ? 0 : 1, c: c + i * m * n, ldc: n)
                    }
                }
            }
        }
        #expect(one.map(\.bitPattern) == many.map(\.bitPattern))
    }
}
