import ArgumentParser
import Models
import Tensor

/// `--optimizer`, `--lr`, `--weight-decay`, `--schedule`, `--warmup`, `--label-smoothing`:
/// the same flags for `train` and `train-mnist`, each with its command's default.
struct OptimizerOptions: ParsableArguments {
    enum Optimizer: String, ExpressibleByArgument, CaseIterable { case adam, sgd }
    enum Schedule: String, ExpressibleByArgument, CaseIterable { case constant, cosine, step, onecycle }

    /// One command's defaults.
    struct Defaults {
        var optimizer: Optimizer, lr: Double, weightDecay: Double, schedule: Schedule
    }

    @Option(help: "Optimizer: adam, or sgd (momentum 0.9, Nesterov). Default: adam.")
    var optimizer: Optimizer?
    @Option(help: "Base learning rate (the peak for onecycle). Default: train 1e-3, train-mnist 2e-3.")
    var lr: Double?
    @Option(help: "Weight decay (L2, added to the gradient as PyTorch's). Default: train 0, train-mnist 5e-4.")
    var weightDecay: Double?
    @Option(help: "Schedule: constant, cosine (to 0 over the epochs, per epoch), step (×0.1 every third of the run) or onecycle (PyTorch's OneCycleLR per batch). Default: train constant, train-mnist cosine.")
    var schedule: Schedule?
    @Option(help: "onecycle: fraction of the steps spent warming up (pct_start).")
    var warmup = 0.3
    @Option(help: "Label smoothing.")
    var labelSmoothing = 0.0

    func validate() throws {
        if let lr, !(lr.isFinite && lr > 0) { throw ValidationError("--lr must be a positive number") }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) { throw ValidationError("--weight-decay must be 0 or more") }
        guard (0...1).contains(warmup) else { throw ValidationError("--warmup must be in 0…1") }
        guard (0..<1).contains(labelSmoothing) else { throw ValidationError("--label-smoothing must be in [0, 1)") }
    }

    /// The chosen settings over `defaults`, for a run of `epochs`.
    func resolved(_ defaults: Defaults, epochs: Int) -> (optimizer: TrainingConfiguration.OptimizerKind, lr: Double,
                                                         schedule: LearningRateSchedule, names: (String, String)) {
        let o = optimizer ?? defaults.optimizer, s = schedule ?? defaults.schedule
        let wd = weightDecay ?? defaults.weightDecay
        let kind: TrainingConfiguration.OptimizerKind = o == .adam ? .adam(weightDecay: wd) : .sgd(momentum: 0.9, weightDecay: wd, nesterov: true)
        let plan: LearningRateSchedule
        switch s {
        case .constant: plan = .constant
        case .cosine: plan = .cosine(epochs: epochs, minimum: 0)
        case .step: plan = .step(every: max(1, epochs / 3), gamma: 0.1)
        case .onecycle: plan = .oneCycle(epochs: epochs, warmup: warmup, div: 25, finalDiv: 1e4)
        }
        return (kind, lr ?? defaults.lr, plan, (o.rawValue, s.rawValue))
    }
}

/// `--conv-algorithm`, `--kernels` and `--threads`: how the kernels run (results are the same
/// to rounding; `--kernels v1` reproduces older figures to the bit).
struct KernelOptions: ParsableArguments {
    @Option(help: "Convolution algorithm: auto (Winograd for 3×3 stride-1 convolutions — 4×4 tiles where they take fewer multiplies, else 2×2 — im2col + GEMM elsewhere), im2col (always), winograd-2x2 or winograd-4x4. Default: FASHION_CONV_ALGORITHM, or auto.")
    var convAlgorithm: ConvolutionPlan.Algorithm?
    @Option(help: "Kernel generation: current, or v1 (the kernels before 2026-11-24 — Winograd F(2×2), grouped im2col, layers unfused — which reproduce the figures documented with them to the bit). Default: FASHION_KERNELS, or current.")
    var kernels: ConvolutionPlan.Kernels?
    @Option(help: "Threads for the kernels (default: FASHION_THREADS, or every core).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
    }

    /// Sets the kernels up as asked; call first in `run()`.
    func apply() {
        if let convAlgorithm { ConvolutionPlanner.algorithm = convAlgorithm }
        if let kernels { ConvolutionPlanner.kernels = kernels }
        if let threads { Threading.configure(threads: threads) }
    }
}

/// `--conv-algorithm auto|im2col|winograd-2x2|winograd-4x4`.
extension ConvolutionPlan.Algorithm: ExpressibleByArgument {}
/// `--kernels current|v1`.
extension ConvolutionPlan.Kernels: ExpressibleByArgument {}
