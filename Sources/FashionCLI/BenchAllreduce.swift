import ArgumentParser
import FashionBase
import FashionMPI
import Foundation

extension Bench {
    /// `fashion bench allreduce`: the gradient sum of data-parallel training, timed and checked.
    /// Under `mpirun -np N` every rank sums a buffer of ResNet-18's size whose values depend on
    /// the rank and the index (small integers, so the float sum is exact in any order) and
    /// checks every element; rank 0 prints the times. Without mpirun it is one process (size 1).
    struct Allreduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time and check the sum of a gradient-sized Float buffer over every MPI rank (run under mpirun).")

        @Option(help: "Floats summed (ResNet-18's parameters: 11,689,512).")
        var floats = 11_689_512

        @Option(help: "Timed repetitions after one warm-up.")
        var repetitions = 5

        @Flag(help: "The sum in rank order that data-parallel training uses (scatter, sum, gather), checked bit for bit against the sum taken one rank after another; without it MPI's own allreduce.")
        var ordered = false

        func validate() throws {
            guard floats >= 1 else { throw ValidationError("--floats: 1 or more") }
            guard repetitions >= 1 else { throw ValidationError("--repetitions: 1 or more") }
        }

        func run() throws {
            let world = try World.join()   // the same command line on every rank, or one error
            defer { World.finish(world) }
            let n = world.size
            // MPI's sum: rank r holds (i % 7) + r, so the sum over ranks is n·(i % 7) + n(n−1)/2,
            // exact in floats in any order. The ordered sum: values that round, summed one rank
            // after another here, so the check holds only for that order.
            func value(_ i: Int, _ r: Int) -> Float { ordered ? Float(i % 1009) * 0.1 + Float(r) * 0.3333 : Float(i % 7 + r) }
            func fill(_ buffer: inout [Float]) { for i in buffer.indices { buffer[i] = value(i, world.rank) } }
            let expected: [Float] = ordered ? (0..<min(floats, 1009)).map { i in (1..<n).reduce(value(i, 0)) { $0 + value(i, $1) } } : []
            var buffer = [Float](repeating: 0, count: floats)
            var times: [Double] = []
            for repetition in 0...repetitions {
                fill(&buffer)
                try world.barrier()
                let start = DispatchTime.now().uptimeNanoseconds
                if ordered { try world.reduceSumInRankOrder(&buffer, contributors: n) } else { try world.allreduceSum(&buffer) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if repetition > 0 { times.append(seconds) }
                let offset = Float(n * (n - 1) / 2)
                func want(_ i: Int) -> Float { ordered ? expected[i % 1009] : Float(n * (i % 7)) + offset }
                if let bad = buffer.indices.first(where: { buffer[$0].bitPattern != want($0).bitPattern }) {
                    throw CommunicatorError(operation: "allreduce check", reason: "element \(bad) is \(buffer[bad]) on rank \(world.rank), expected \(want(bad))")
                }
            }
            // Every rank's times at rank 0: the slowest rank's is the step's.
            let mine = Data(times.map { String($0) }.joined(separator: ",").utf8)
            guard let all = try world.gather(mine, root: 0) else { return }
            let perRank = all.map { String(decoding: $0, as: UTF8.self).split(separator: ",").compactMap { Double($0) } }
            let slowest = (0..<times.count).map { k in perRank.map { $0.count > k ? $0[k] : 0 }.max() ?? 0 }.sorted()
            let median = slowest[slowest.count / 2]
            let megabytes = Double(floats * 4) / 1e6
            let milliseconds = [median, slowest.first ?? 0, slowest.last ?? 0].map { String(format: "%.1f", 1000 * $0) }
            let bandwidth = String(format: "%.2f", megabytes / 1000 / max(median, 1e-9))
            print((ordered ? "ordered sum" : "allreduce") + " of \(floats) floats (\(String(format: "%.1f", megabytes)) MB) over \(n) rank\(n == 1 ? "" : "s"): "
                  + "median \(milliseconds[0]) ms (min \(milliseconds[1]), max \(milliseconds[2])) of \(slowest.count), "
                  + "\(bandwidth) GB/s algorithm bandwidth; every element checked")
        }
    }
}
