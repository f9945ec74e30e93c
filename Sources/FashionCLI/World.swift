import FashionBase
import FashionMPI
import Foundation

/// The processes one invocation runs on: MPI's world when `mpirun`/`mpiexec` or Slurm's `srun`
/// started it (rank and size from their environment, no flag), else one process.
///
/// Rank 0 prints; the others stay quiet but for errors of their own. A rank that fails ends
/// the whole job (``end(_:)`` calls `MPI_Abort`), so no rank waits forever for it; a clean
/// finish calls ``finish(_:)``.
enum World {
    /// The job's communicator while a command runs on several processes.
    nonisolated(unsafe) static var current: Communicator?

    /// Joins the job (or makes the one-process world), silences the output of ranks past 0, and
    /// stops every rank unless all were given the same command line.
    static func join() throws -> Communicator {
        let world: Communicator = try MPICommunicator.launched() ?? SingleProcess()
        current = world
        TerminalOutput.quiet = !world.isRoot
        try world.requireAgreement(CommandLine.arguments.dropFirst().joined(separator: " "), on: "the command line")
        return world
    }

    /// Leaves the job after a command that finished on every rank.
    static func finish(_ world: Communicator) {
        (world as? MPICommunicator)?.finalize()
        current = nil
    }

    /// Ends this process with `code` after an error; under MPI with several ranks, every rank.
    static func end(_ code: Int32) -> Never {
        if let mpi = current as? MPICommunicator, mpi.size > 1 { mpi.abort(code: code) }
        Foundation.exit(code)
    }

    /// Whether an error is one every rank met alike (a failed agreement check, rank 0's verdict):
    /// rank 0 reports it, the others need not repeat it.
    static func isShared(_ error: Error) -> Bool {
        if let e = error as? CommunicatorError, e.operation == "the agreement check" { return true }
        return "\(error)".hasPrefix("rank 0: ")
    }
}

/// Whether this process's output is silenced (the ranks past 0 of a data-parallel job).
enum TerminalOutput {
    nonisolated(unsafe) static var quiet = false
}
