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
}
