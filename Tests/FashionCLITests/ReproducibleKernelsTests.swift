import Testing
import Tensor
@testable import FashionCLI

/// When `fashion` restarts itself on OpenBLAS's CPU-independent kernels, and when it leaves them be.
@Suite struct ReproducibleKernelsTests {
    typealias A = ReproducibleKernels.Action

    @Test func theDefaultRestartsOnHaswellUnlessAlreadyThere() {
        #expect(ReproducibleKernels.action(environment: [:], current: "Cooperlake", cpuRunsReproducible: true) == .reexecute(note: nil))
        #expect(ReproducibleKernels.action(environment: [:], current: "Zen", cpuRunsReproducible: true) == .reexecute(note: nil))
        #expect(ReproducibleKernels.action(environment: ["FASHION_BLAS_CORE": "reproducible"], current: "Haswell", cpuRunsReproducible: true) == .proceed)
    }

    @Test func aUsersCoreTypeIsReplacedWithANoteOrKeptWhenNative() {
        guard case .reexecute(let note?) = ReproducibleKernels.action(environment: ["OPENBLAS_CORETYPE": "SkylakeX"], current: "SkylakeX", cpuRunsReproducible: true) else {
            Issue.record("expected a restart with a note"); return
        }
        #expect(note.contains("OPENBLAS_CORETYPE=SkylakeX") && note.contains("FASHION_BLAS_CORE=native"))
        #expect(ReproducibleKernels.action(environment: ["FASHION_BLAS_CORE": "native", "OPENBLAS_CORETYPE": "SkylakeX"], current: "SkylakeX", cpuRunsReproducible: true) == .proceed)
        #expect(ReproducibleKernels.action(environment: ["FASHION_BLAS_CORE": "NATIVE"], current: "Cooperlake", cpuRunsReproducible: true) == .proceed)
    }

    @Test func neverLoopsAndNeverFaults() {
        // OpenBLAS ignored the variable (a build without DYNAMIC_ARCH): go on, once, with a note.
        guard case .note(let ignored) = ReproducibleKernels.action(environment: ["FASHION_BLAS_REEXECUTED": "1", "OPENBLAS_CORETYPE": "Haswell"], current: "Cooperlake", cpuRunsReproducible: true) else {
            Issue.record("expected a note, not another restart"); return
        }
        #expect(ignored.contains("Cooperlake"))
        // A CPU without AVX2/FMA would fault in Haswell's kernels: keep its own.
        guard case .note(let old) = ReproducibleKernels.action(environment: [:], current: "Sandybridge", cpuRunsReproducible: false) else {
            Issue.record("expected a note"); return
        }
        #expect(old.contains("AVX2"))
    }

    @Test func anUnknownSettingIsRefusedWithTheChoices() {
        guard case .refuse(let message) = ReproducibleKernels.action(environment: ["FASHION_BLAS_CORE": "fast"], current: "Haswell", cpuRunsReproducible: true) else {
            Issue.record("expected a refusal"); return
        }
        #expect(message.contains("FASHION_BLAS_CORE=fast") && message.contains("reproducible") && message.contains("native"))
    }

    @Test func cpuFlagsNeedBothAVX2AndFMA() {
        #expect(BLASCore.cpuFlagsAllowReproducibleKernels("processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 bmi2\n"))
        #expect(!BLASCore.cpuFlagsAllowReproducibleKernels("flags\t\t: fpu sse2 avx\n"))
        #expect(!BLASCore.cpuFlagsAllowReproducibleKernels("flags\t\t: fpu avx2\n"))
        #expect(!BLASCore.cpuFlagsAllowReproducibleKernels("no flags here\n"))
        #expect(!BLASCore.cpuRunsReproducibleKernels(cpuinfo: "/nonexistent/cpuinfo"))
    }
}
