import ArgumentParser
import Models
import Tensor

/// `--optimizer`, `--lr`, `--weight-decay`, `--schedule`, `--warmup`, `--label-smoothing`:
/// the same flags for `train` and `train-mnist`, each with its command's default.
struct OptimizerOptions: ParsableArguments {
    enum Optimizer: String, ExpressibleByArgument, CaseIterable { case adam, sgd }
    enum Schedule: String, ExpressibleByArgument, CaseIterable { case constant, cosine, step, onecycle }

    /// One command's defaults (or a recipe's).
    struct Defaults {
        var optimizer: Optimizer, lr: Double, weightDecay: Double, schedule: Schedule
        var warmup = 0.3, labelSmoothing = 0.0
    }

    @Option(help: "Optimizer: adam, or sgd (momentum 0.9, Nesterov). Default: adam.")
    var optimizer: Optimizer?
    @Option(help: "Base learning rate (the peak for onecycle). Default: train 1e-3, train-mnist 2e-3.")
    var lr: Double?
    @Option(help: "Weight decay (L2, added to the gradient as PyTorch's). Default: train 0, train-mnist 5e-4.")
    var weightDecay: Double?
    @Option(help: "Schedule: constant, cosine (to 0 over the epochs, per epoch), step (×0.1 every third of the run) or onecycle (PyTorch's OneCycleLR per batch). Default: train constant, train-mnist cosine.")
    var schedule: Schedule?
    @Option(help: "onecycle: fraction of the steps spent warming up (pct_start). Default: 0.3.")
    var warmup: Double?
    @Option(help: "Label smoothing. Default: 0.")
    var labelSmoothing: Double?

    func validate() throws {
        if let lr, !(lr.isFinite && lr > 0) { throw ValidationError("--lr must be a positive number") }
        if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) { throw ValidationError("--weight-decay must be 0 or more") }
        if let warmup, !(0...1).contains(warmup) { throw ValidationError("--warmup must be in 0…1") }
        if let labelSmoothing, !(0..<1).contains(labelSmoothing) { throw ValidationError("--label-smoothing must be in [0, 1)") }
    }

    /// The chosen settings over `defaults`, for a run of `epochs`.
    func resolved(_ defaults: Defaults, epochs: Int) -> (optimizer: TrainingConfiguration.OptimizerKind, lr: Double,
                                                         schedule: LearningRateSchedule, labelSmoothing: Double,
                                                         names: (String, String)) {
        let o = optimizer ?? defaults.optimizer, s = schedule ?? defaults.schedule
        let wd = weightDecay ?? defaults.weightDecay
        let kind: TrainingConfiguration.OptimizerKind = o == .adam ? .adam(weightDecay: wd) : .sgd(momentum: 0.9, weightDecay: wd, nesterov: true)
        let plan: LearningRateSchedule
        switch s {
        case .constant: plan = .constant
        case .cosine: plan = .cosine(epochs: epochs, minimum: 0)
        case .step: plan = .step(every: max(1, epochs / 3), gamma: 0.1)
        case .onecycle: plan = .oneCycle(epochs: epochs, warmup: warmup ?? defaults.warmup, div: 25, finalDiv: 1e4)
        }
        return (kind, lr ?? defaults.lr, plan, labelSmoothing ?? defaults.labelSmoothing, (o.rawValue, s.rawValue))
    }
}
