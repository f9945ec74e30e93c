import FashionBase
import Foundation
import Testing

/// The one-process communicator every program has: rank 0 of 1, every collective the identity
/// (the Open MPI one is tested between real processes by Tools/mpi_test.sh).
@Suite struct CommunicatorTests {
    @Test func oneProcessIsTheIdentity() throws {
        let world: Communicator = SingleProcess()
        #expect(world.rank == 0 && world.size == 1 && world.isRoot)
        var values: [Float] = [1, 2.5, -3]
        try world.allreduceSum(&values)
        #expect(values == [1, 2.5, -3])
        #expect(try world.broadcast(Data("abc".utf8)) == Data("abc".utf8))
        #expect(try world.gather(Data([7, 8]), root: 0) == [Data([7, 8])])
        try world.barrier()
        try world.requireAgreement("--lr 0.1", on: "the flags")
    }

    /// The chunks rank k sums in an ordered sum cover the buffer once, in order, sizes within one.
    @Test func orderedSumChunksCoverTheBuffer() throws {
        for count in [0, 1, 7, 11_689_512] {
            for size in 1...5 {
                let chunks = (0..<size).map { SingleProcess.chunk($0, of: count, size: size) }
                #expect(chunks.first?.lowerBound == 0 && chunks.last?.upperBound == count)
                #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect((chunks.map(\.count).max() ?? 0) - (chunks.map(\.count).min() ?? 0) <= 1)
            }
        }
        var values: [Float] = [0.1, -0.0]
        try SingleProcess().reduceSumInRankOrder(&values, contributors: 1)
        #expect(values.map(\.bitPattern) == [Float(0.1).bitPattern, Float(-0.0).bitPattern])
    }
}
