import Foundation

/// The processes of one job and how they talk: what data-parallel training needs of MPI and no
/// more — rank and size, a sum of Float buffers in place, a broadcast, a barrier, and a gather
/// of small byte blobs. ``SingleProcess`` is the one-process job every program has; the Open MPI
/// implementation (`MPICommunicator`, target `FashionMPI`) is linked only by programs that
/// run on several processes, so a library user who never does never links MPI.
///
/// Every call is collective: each rank makes the same calls in the same order.
public protocol Communicator: AnyObject, Sendable {
    /// This process's place, 0 ..< ``size``.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `buffer` on every rank by the element-wise sum over ranks.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces `buffer` on every rank by the element-wise sum of ranks 0 ..< `contributors`'
    /// buffers taken in rank order — `((b₀ + b₁) + b₂) + …`, the order a single process
    /// accumulating the same terms one after the other uses — so the result is the same bits
    /// for any number of ranks. (MPI's own sum fixes no order.) The other ranks' buffers are
    /// not read. Costs what a ring all-reduce costs: a scatter of the sums and a gather.
    func reduceSumInRankOrder(_ buffer: UnsafeMutableBufferPointer<Float>, contributors: Int) throws
    /// Copies `root`'s bytes into `buffer` on every rank (same length everywhere).
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Returns when every rank has called it.
    func barrier() throws
    /// Every rank's `bytes` at `root`, in rank order (nil on the other ranks).
    func gather(_ bytes: Data, root: Int) throws -> [Data]?
}

/// A failed collective call: the operation and MPI's (or the transport's) words.
public struct CommunicatorError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What failed (`allreduce of 11,689,512 floats`).
    public let operation: String
    /// Why.
    public let reason: String
    /// A failure of `operation`.
    public init(operation: String, reason: String) { self.operation = operation; self.reason = reason }
    /// `operation failed: reason`.
    public var description: String { "\(operation) failed: \(reason)" }
}

/// The job of one process: rank 0 of 1; every collective call is the identity.
public final class SingleProcess: Communicator {
    /// The one process's communicator.
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func reduceSumInRankOrder(_ buffer: UnsafeMutableBufferPointer<Float>, contributors: Int) throws {
        precondition(contributors == 1, "SingleProcess.reduceSumInRankOrder: \(contributors) contributors of 1 rank")
    }
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
    public func barrier() throws {}
    public func gather(_ bytes: Data, root: Int) throws -> [Data]? { [bytes] }
}

extension Communicator {
    /// Whether this is the rank that writes files and prints (rank 0).
    public var isRoot: Bool { rank == 0 }

    /// ``allreduceSum(_:)`` of an array.
    public func allreduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { try allreduceSum($0) }
    }

    /// ``reduceSumInRankOrder(_:contributors:)`` of an array.
    public func reduceSumInRankOrder(_ values: inout [Float], contributors: Int) throws {
        try values.withUnsafeMutableBufferPointer { try reduceSumInRankOrder($0, contributors: contributors) }
    }

    /// The chunk of `count` elements that rank `k` of `size` sums in
    /// ``reduceSumInRankOrder(_:contributors:)``: consecutive, sizes differing by at most one.
    public static func chunk(_ k: Int, of count: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = k * base + min(k, extra)
        return start..<(start + base + (k < extra ? 1 : 0))
    }

    /// `root`'s `data` on every rank (lengths may differ: the length goes first).
    public func broadcast(_ data: Data, root: Int = 0) throws -> Data {
        var length = [UInt64(rank == root ? data.count : 0)]
        try length.withUnsafeMutableBytes { try broadcast($0, root: root) }
        var bytes = [UInt8](repeating: 0, count: Int(length[0]))
        if rank == root { bytes = [UInt8](data) }
        try bytes.withUnsafeMutableBytes { try broadcast($0, root: root) }
        return Data(bytes)
    }

    /// Stops every rank with the same error unless all ranks give the same `value` (their
    /// flags, a data set's fingerprint): `what` names it in the error, with the first rank that
    /// differs from rank 0 and both values.
    public func requireAgreement(_ value: String, on what: String) throws {
        guard size > 1 else { return }
        let all = try gather(Data(value.utf8), root: 0)
        var verdict = ""
        if let all, let first = all.first, let k = all.firstIndex(where: { $0 != first }) {
            verdict = "ranks disagree on \(what): rank 0 has \(String(decoding: first, as: UTF8.self)), rank \(k) has \(String(decoding: all[k], as: UTF8.self))"
        }
        let shared = String(decoding: try broadcast(Data(verdict.utf8)), as: UTF8.self)
        if !shared.isEmpty { throw CommunicatorError(operation: "the agreement check", reason: shared) }
    }
}
