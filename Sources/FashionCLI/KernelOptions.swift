import ArgumentParser
import Models
import Tensor

/// `--conv-algorithm`, `--kernels`, `--threads` and `--precision`: how the kernels run (results
/// are the same to rounding in FP32; `--kernels v1` reproduces older figures to the bit;
/// `--precision bf16` rounds the operands of convolutions and linear layers to bfloat16).
struct KernelOptions: ParsableArguments {
    @Option(help: "Convolution algorithm: auto (Winograd for 3×3 stride-1 convolutions — 4×4 tiles where they take fewer multiplies, else 2×2 — im2col + GEMM elsewhere), im2col (always), winograd-2x2 or winograd-4x4. Default: FASHION_CONV_ALGORITHM, or auto.")
    var convAlgorithm: ConvolutionPlan.Algorithm?
    @Option(help: "Kernel generation: current, or v1 (the kernels before 2026-11-24 — Winograd F(2×2), grouped im2col, layers unfused — which reproduce the figures documented with them to the bit). Default: FASHION_KERNELS, or current.")
    var kernels: ConvolutionPlan.Kernels?
    @Option(help: "Threads for the kernels (default: FASHION_THREADS, or every core).")
    var threads: Int?
    @Option(help: "Precision of the convolutions' and linear layers' products: fp32, or bf16 (operands rounded to bfloat16, sums in FP32, as PyTorch's autocast; weights, optimiser, batch norm and losses stay FP32, checkpoints too). bf16 needs a CPU with AVX512_BF16. Default: fp32.")
    var precision: Precision?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
        if let reason = precision?.unavailableReason { throw ValidationError("--precision \(precision?.rawValue ?? ""): \(reason)") }
    }

    /// Sets the kernels up as asked; call first in `run()`.
    func apply() {
        if let convAlgorithm { ConvolutionPlanner.algorithm = convAlgorithm }
        if let kernels { ConvolutionPlanner.kernels = kernels }
        if let threads { Threading.configure(threads: threads) }
        if let precision { Autocast.processPrecision = precision }
    }
}

/// `--conv-algorithm auto|im2col|winograd-2x2|winograd-4x4`.
extension ConvolutionPlan.Algorithm: ExpressibleByArgument {}
/// `--kernels current|v1`.
extension ConvolutionPlan.Kernels: ExpressibleByArgument {}
/// `--precision fp32|bf16`.
extension Precision: ExpressibleByArgument {}
