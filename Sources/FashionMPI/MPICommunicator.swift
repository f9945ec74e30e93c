import CMPI
import FashionBase
import Foundation

/// ``Communicator`` over Open MPI (`MPI_COMM_WORLD`): what `mpirun -np N fashion …` and
/// Slurm's `srun fashion …` give each process. Errors come back as ``CommunicatorError``
/// (MPI's error handler is set to return them); a rank that dies makes `mpirun` end the others.
///
/// ```swift
/// let world: Communicator = MPICommunicator.launched() ?? SingleProcess()
/// try world.allreduceSum(&gradients)
/// ```
public final class MPICommunicator: Communicator, @unchecked Sendable {
    /// This process's rank in `MPI_COMM_WORLD`.
    public let rank: Int
    /// The number of processes in `MPI_COMM_WORLD`.
    public let size: Int

    /// Whether this process was started by an MPI launcher (`mpirun`/`mpiexec` or Slurm's
    /// `srun`), read from the environment they set; nothing of MPI is touched to find out.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// The world communicator when this process was started by an MPI launcher, else nil.
    /// Throws when MPI was asked for and cannot start (no runtime, a broken launch).
    public static func launched() throws -> MPICommunicator? {
        launchedByMPI ? try MPICommunicator() : nil
    }

    /// Initialises MPI (once per process; threads funnelled through the caller's) and reads
    /// this process's rank and the world's size.
    public init() throws {
        try Self.check(fs_mpi_init(), "MPI initialisation")
        var r: Int32 = 0, s: Int32 = 0
        try Self.check(fs_mpi_rank(&r), "MPI_Comm_rank")
        try Self.check(fs_mpi_size(&s), "MPI_Comm_size")
        rank = Int(r); size = Int(s)
    }

    /// Ends MPI for this process (collective: every rank calls it once, at the end).
    public func finalize() { _ = fs_mpi_finalize() }

    /// Ends every rank of the job with `code` (what a rank does when it cannot go on alone).
    public func abort(code: Int32) -> Never {
        _ = fs_mpi_abort(code)
        exit(code)
    }

    /// `MPI_Allreduce` with `MPI_SUM` in place, in pieces of at most 2^31 − 1 floats.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {   // MPI counts are Int32
            let n = min(buffer.count - offset, Int(Int32.max))
            try Self.check(fs_mpi_allreduce_sum_float(base + offset, Int32(n)), "allreduce of \(n) floats")
            offset += n
        }
    }

    /// Rank k receives chunk k (``Communicator/chunk(_:of:size:)``) of every contributor's
    /// buffer (`MPI_Alltoallv`), sums them in rank order, and every rank gathers every sum
    /// (`MPI_Allgatherv`, in place): 2(N−1)/N of the buffer sent by each rank, as a ring.
    public func reduceSumInRankOrder(_ buffer: UnsafeMutableBufferPointer<Float>, contributors: Int) throws {
        precondition(contributors >= 1 && contributors <= size, "reduceSumInRankOrder: \(contributors) contributors of \(size) ranks")
        guard size > 1, let base = buffer.baseAddress else { return }
        let count = buffer.count
        guard count <= Int(Int32.max) else {
            throw CommunicatorError(operation: "ordered sum", reason: "\(count) floats; at most 2^31 − 1")
        }
        let chunks = (0..<size).map { Self.chunk($0, of: count, size: size) }
        let mine = chunks[rank]
        let sending = rank < contributors
        let sendCounts = chunks.map { Int32(sending ? $0.count : 0) }
        let sendDisplacements = chunks.map { Int32($0.lowerBound) }
        let receiveCounts = (0..<size).map { Int32($0 < contributors ? mine.count : 0) }
        let receiveDisplacements = (0..<size).map { Int32(min($0, contributors) * mine.count) }
        var received = [Float](repeating: 0, count: max(1, contributors * mine.count))
        try received.withUnsafeMutableBufferPointer { r in
            try Self.check(fs_mpi_alltoallv_float(base, sendCounts, sendDisplacements, r.baseAddress, receiveCounts, receiveDisplacements),
                           "ordered sum of \(count) floats (scatter)")
            let out = base + mine.lowerBound, n = mine.count
            for i in 0..<n { out[i] = r[i] }
            for k in 1..<max(1, contributors) {
                let term = r.baseAddress! + k * n
                for i in 0..<n { out[i] = out[i] + term[i] }
            }
        }
        try Self.check(fs_mpi_allgatherv_float(base, chunks.map { Int32($0.count) }, sendDisplacements),
                       "ordered sum of \(count) floats (gather)")
    }

    /// `MPI_Bcast` of bytes, in pieces of at most 2^31 − 1.
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let n = min(buffer.count - offset, Int(Int32.max))
            try Self.check(fs_mpi_broadcast(base + offset, Int32(n), Int32(root)), "broadcast of \(n) bytes from rank \(root)")
            offset += n
        }
    }

    /// `MPI_Barrier`.
    public func barrier() throws { try Self.check(fs_mpi_barrier(), "barrier") }

    /// The sizes by `MPI_Gather`, then the bytes by `MPI_Gatherv`.
    public func gather(_ bytes: Data, root: Int) throws -> [Data]? {
        guard bytes.count <= Int(Int32.max) else {
            throw CommunicatorError(operation: "gather", reason: "\(bytes.count) bytes from one rank; at most 2 GiB")
        }
        var counts = [Int32](repeating: 0, count: size)
        try Self.check(fs_mpi_gather_int(Int32(bytes.count), &counts, Int32(root)), "gather of sizes")
        var displacements = [Int32](repeating: 0, count: size)
        var total = 0
        if rank == root {
            for k in 0..<size {
                guard total <= Int(Int32.max) else { throw CommunicatorError(operation: "gather", reason: "more than 2 GiB in all") }
                displacements[k] = Int32(total); total += Int(counts[k])
            }
        }
        var received = [UInt8](repeating: 0, count: max(total, 1))
        let send = [UInt8](bytes)
        try send.withUnsafeBytes { s in
            try received.withUnsafeMutableBytes { r in
                try Self.check(fs_mpi_gather_bytes(s.baseAddress, Int32(bytes.count), r.baseAddress, counts, displacements, Int32(root)),
                               "gather of \(bytes.count) bytes")
            }
        }
        guard rank == root else { return nil }
        return (0..<size).map { k in Data(received[Int(displacements[k])..<(Int(displacements[k]) + Int(counts[k]))]) }
    }

    static func check(_ code: Int32, _ operation: String) throws {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: Int(fs_mpi_max_error_string()) + 1)
        fs_mpi_error_string(code, &text)
        throw CommunicatorError(operation: operation, reason: String(cString: text))
    }
}
