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
        if !world.isRoot { Interruption.silence() }
        try world.requireAgreement(CommandLine.arguments.dropFirst().joined(separator: " "), on: "the command line")
        return world
    }

    /// Leaves the job after a command that finished on every rank.
    static func finish(_ world: Communicator) {
        (world as? MPICommunicator)?.finalize()
        current = nil
    }

    /// Writes an error's `message` on standard error — on a rank past 0 after a pause, so that
    /// an error every rank meets (they were given the same flags and data) is reported once, by
    /// rank 0, whose ``end(_:)`` ends the others first; an error of that rank's own still shows,
    /// named with its rank.
    static func report(_ message: String) {
        if let world = current, world.size > 1 {
            if !world.isRoot { sleep(2) }
            FileHandle.standardError.write(Data("rank \(world.rank): \(message)\n".utf8))
        } else {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
    }

    /// Ends this process with `code` after an error; under MPI with several ranks, every rank.
    static func end(_ code: Int32) -> Never {
        if let mpi = current as? MPICommunicator, mpi.size > 1 { mpi.abort(code: code) }
        Foundation.exit(code)
    }
}

/// Whether this process's output is silenced (the ranks past 0 of a data-parallel job).
enum TerminalOutput {
    nonisolated(unsafe) static var quiet = false
}
