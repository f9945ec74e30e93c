import CTileGather
import Testing
@testable import Tensor

/// The eight-tile gathers and scatters of the narrow-map Winograd transforms (``fs_gather_tiles8``,
/// ``fs_scatter_tiles8``) against plain Swift loops, bit for bit: the CPU's path (AVX2 where it
/// has it) and the scalar one, every lane count, both window shapes, windows anywhere in a plane.
@Suite struct TileGatherTests {
    /// (rows, columns, row stride): F(4×4)'s input windows, its output and gradient ones, F(2×2)'s input.
    static let shapes = [(6, 6, 18), (4, 4, 16), (4, 4, 10), (6, 6, 6), (4, 4, 4)]

    /// Eight window corners in a plane of `size` floats, each window apart from the others.
    static func corners(rows: Int, columns: Int, rowStride: Int, seed: UInt64) -> (offsets: [Int], size: Int) {
        var g = RandomGenerator(seed: seed)
        let extent = (rows - 1) * rowStride + columns
        // Windows in separate slots of `extent` floats each, in a shuffled order, at random shifts.
        var slots = Array(0..<8)
        for i in stride(from: 7, to: 0, by: -1) { slots.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        let slot = extent + 5
        return (slots.map { $0 * slot + Int(g.next() % 5) }, 8 * slot)
    }

    @Test(arguments: 0..<shapes.count) func gatherMatchesLoops(_ k: Int) {
        let (rows, columns, rowStride) = Self.shapes[k]
        for n in 1...8 {
            let (offsets, size) = Self.corners(rows: rows, columns: columns, rowStride: rowStride, seed: UInt64(10 * k + n))
            var g = RandomGenerator(seed: UInt64(100 + k))
            let plane = (0..<size).map { _ in g.normal() }
            var expected = [Float](repeating: 0, count: rows * columns * 8)
            for l in 0..<8 {
                let at = offsets[min(l, n - 1)]
                for r in 0..<rows { for s in 0..<columns { expected[(r * columns + s) * 8 + l] = plane[at + r * rowStride + s] } }
            }
            var fast = [Float](repeating: .nan, count: expected.count), scalar = fast
            fs_gather_tiles8(plane, offsets, Int32(n), rowStride, Int32(rows), Int32(columns), &fast)
            fs_gather_tiles8_scalar(plane, offsets, Int32(n), rowStride, Int32(rows), Int32(columns), &scalar)
            #expect(fast.map(\.bitPattern) == expected.map(\.bitPattern), "rows \(rows) columns \(columns) n \(n)")
            #expect(scalar.map(\.bitPattern) == expected.map(\.bitPattern), "rows \(rows) columns \(columns) n \(n)")
        }
    }

    @Test(arguments: 1..<3) func scatterMatchesLoops(_ k: Int) {
        let (rows, columns, rowStride) = Self.shapes[k]
        for n in 1...8 {
            let (offsets, size) = Self.corners(rows: rows, columns: columns, rowStride: rowStride, seed: UInt64(20 * k + n))
            var g = RandomGenerator(seed: UInt64(200 + k))
            let window = (0..<rows * columns * 8).map { _ in g.normal() }
            var expected = [Float](repeating: -7, count: size)
            for l in 0..<n {
                for r in 0..<rows { for s in 0..<columns { expected[offsets[l] + r * rowStride + s] = window[(r * columns + s) * 8 + l] } }
            }
            var fast = [Float](repeating: -7, count: size), scalar = fast
            fs_scatter_tiles8(window, &fast, offsets, Int32(n), rowStride, Int32(rows), Int32(columns))
            fs_scatter_tiles8_scalar(window, &scalar, offsets, Int32(n), rowStride, Int32(rows), Int32(columns))
            // Lanes past n and floats outside the windows are left alone.
            #expect(fast.map(\.bitPattern) == expected.map(\.bitPattern), "n \(n)")
            #expect(scalar.map(\.bitPattern) == expected.map(\.bitPattern), "n \(n)")
        }
    }
}
