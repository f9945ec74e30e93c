import CBLAS
import Foundation

/// Which OpenBLAS kernels this process runs, and the choice that makes figures the same on
/// every x86-64 CPU the project runs on.
///
/// OpenBLAS (built with `DYNAMIC_ARCH`, as Debian's is) picks its sgemm kernels by CPU when it
/// loads: Haswell's on AMD Zen 1–3, Cooperlake's (AVX-512) on Zen 4. The kernels block and
/// sum a GEMM's inner products in another order, so a training run's figures move in the
/// third digit from one CPU to the next. Forcing the Haswell kernels (AVX2 + FMA, present on
/// every machine seen) gives the same bytes on all of them, and costs nothing measurable
/// (Docs/PERFORMANCE.md). The choice must be made before OpenBLAS loads — the environment
/// variable `OPENBLAS_CORETYPE` — so a program sets it in its environment (the `fashion` CLI
/// re-executes itself with it; a library user sets it before starting the program).
public enum BLASCore {
    /// The OpenBLAS core type whose kernels give the documented figures on every CPU.
    public static let reproducible = "Haswell"

    /// The kernels OpenBLAS chose in this process (`openblas_get_corename`), e.g. `Haswell`,
    /// `Zen`, `Cooperlake`, `SkylakeX`.
    public static var current: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build summary (`openblas_get_config`), e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64`.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).trimmingCharacters(in: .whitespaces)
    }

    /// Whether this process runs the reproducible kernels (compared case-insensitively).
    public static var isReproducible: Bool { current.lowercased() == reproducible.lowercased() }

    /// Whether the CPU can run the ``reproducible`` kernels: AVX2 and FMA in `/proc/cpuinfo`'s
    /// flags. `false` where that file is missing or names neither (the kernels would fault).
    public static func cpuRunsReproducibleKernels(cpuinfo path: String = "/proc/cpuinfo") -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        // The first processor's block holds its flags; 64 KiB is far more than one block.
        guard let data = try? handle.read(upToCount: 1 << 16), let text = String(data: data, encoding: .utf8) else { return false }
        return cpuFlagsAllowReproducibleKernels(text)
    }

    /// Whether `/proc/cpuinfo`-style text has both `avx2` and `fma` on its first `flags` line.
    public static func cpuFlagsAllowReproducibleKernels(_ cpuinfo: String) -> Bool {
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return false }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return flags.contains("avx2") && flags.contains("fma")
    }
}
