import Foundation
import Tensor

/// Makes every `fashion` command run OpenBLAS's CPU-independent kernels (``BLASCore/reproducible``)
/// unless told otherwise, so a documented figure comes back to the digit on another CPU.
///
/// `FASHION_BLAS_CORE` decides: unset or `reproducible` — the process re-executes itself once
/// with `OPENBLAS_CORETYPE=Haswell` (OpenBLAS reads it only when it loads), overriding a
/// different `OPENBLAS_CORETYPE` with a note; `native` — OpenBLAS picks by CPU (or takes
/// `OPENBLAS_CORETYPE` as given). A CPU without AVX2 and FMA keeps its own kernels, with a note.
enum ReproducibleKernels {
    static let variable = "FASHION_BLAS_CORE"
    /// Set on the re-executed process, so a build of OpenBLAS that ignores `OPENBLAS_CORETYPE`
    /// (no `DYNAMIC_ARCH`) cannot make the program re-execute itself forever.
    static let reexecuted = "FASHION_BLAS_REEXECUTED"

    /// What to do in this process, from its environment and CPU.
    enum Action: Equatable {
        case proceed
        case note(String)
        case reexecute(note: String?)
        case refuse(String)
    }

    static func action(environment: [String: String], current: String, cpuRunsReproducible: Bool) -> Action {
        let mode = environment[variable] ?? "reproducible"
        switch mode.lowercased() {
        case "native": return .proceed
        case "reproducible", "": break
        default: return .refuse("Error: \(variable)=\(mode) is not a choice: reproducible (the default: OpenBLAS's \(BLASCore.reproducible) kernels on every CPU) or native (OpenBLAS picks by CPU)")
        }
        if current.lowercased() == BLASCore.reproducible.lowercased() { return .proceed }
        guard cpuRunsReproducible else {
            return .note("note: this CPU lacks AVX2/FMA, so OpenBLAS runs its \(current) kernels; figures may differ from the documented ones in the last digits")
        }
        if environment[reexecuted] != nil {
            return .note("note: OpenBLAS ignored OPENBLAS_CORETYPE=\(BLASCore.reproducible) (a build without DYNAMIC_ARCH?) and runs its \(current) kernels; figures may differ from the documented ones in the last digits")
        }
        if let asked = environment["OPENBLAS_CORETYPE"], asked.lowercased() != BLASCore.reproducible.lowercased() {
            return .reexecute(note: "note: OPENBLAS_CORETYPE=\(asked) replaced by \(BLASCore.reproducible) for reproducible figures (\(variable)=native keeps it)")
        }
        return .reexecute(note: nil)
    }

    /// Call first in `main()`, before any output: re-executes the program when needed, else returns.
    static func ensure() {
        let environment = ProcessInfo.processInfo.environment
        switch action(environment: environment, current: BLASCore.current, cpuRunsReproducible: BLASCore.cpuRunsReproducibleKernels()) {
        case .proceed: return
        case .note(let text): printError((text + "\n"))
        case .refuse(let text):
            printError((text + "\n"))
            Foundation.exit(64)
        case .reexecute(let note):
            if let note { printError((note + "\n")) }
            setenv("OPENBLAS_CORETYPE", BLASCore.reproducible, 1)
            setenv(reexecuted, "1", 1)
            let arguments = CommandLine.arguments
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            execv("/proc/self/exe", &argv)
            // Only reached when exec failed: carry on with the kernels already loaded.
            let reason = String(cString: strerror(errno))
            printError("note: could not restart with OpenBLAS's \(BLASCore.reproducible) kernels (\(reason)); running its \(BLASCore.current) kernels, figures may differ in the last digits\n")
        }
    }
}
