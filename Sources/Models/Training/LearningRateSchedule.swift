import Foundation

/// Learning rate schedules: PyTorch's epoch schedulers (stepped once per epoch) and
/// `OneCycleLR` (stepped once per batch).
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// No scheduler (the camp's recipe).
    case constant
    /// `StepLR(step_size, gamma)`: multiplied by `gamma` every `every` epochs.
    case step(every: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max = epochs, eta_min = minimum)` in closed form.
    case cosine(epochs: Int, minimum: Double)
    /// `OneCycleLR(max_lr = base, total_steps = epochs × batches, pct_start = warmup,
    /// anneal_strategy = "cos", div_factor, final_div_factor, cycle_momentum = False)`,
    /// stepped after every batch: from base/div up to base over the first `warmup` of the
    /// steps, then down to base/(div × finalDiv).
    case oneCycle(epochs: Int, warmup: Double, div: Double, finalDiv: Double)

    /// Whether the rate changes within an epoch (``rate(base:epoch:batch:of:)``).
    public var perBatch: Bool { if case .oneCycle = self { return true } else { return false } }

    /// The rate for 0-based `batch` of `batches` in 0-based `epoch`; epoch schedules ignore the batch.
    public func rate(base: Double, epoch: Int, batch: Int, of batches: Int) -> Double {
        guard case .oneCycle(let epochs, let warmup, let div, let finalDiv) = self else { return rate(base: base, epoch: epoch) }
        let total = Double(max(1, epochs * batches))
        let step = Double(epoch * batches + batch)
        let initial = base / div, final = initial / finalDiv
        let peak = warmup * total - 1
        func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double { end + (start - end) / 2 * (1 + cos(Double.pi * pct)) }
        if step <= peak { return anneal(initial, base, peak > 0 ? step / peak : 1) }
        return anneal(base, final, min(1, (step - peak) / max(1, total - 1 - peak)))
    }

    /// The rate for 0-based `epoch` from the base rate.
    public func rate(base: Double, epoch: Int) -> Double {
        switch self {
        case .constant: return base
        case .step(let every, let gamma): return base * pow(gamma, Double(epoch / max(every, 1)))
        case .cosine(let epochs, let minimum):
            return minimum + (base - minimum) * (1 + cos(Double.pi * Double(min(epoch, epochs)) / Double(max(epochs, 1)))) / 2
        case .oneCycle: return rate(base: base, epoch: epoch, batch: 0, of: 1)
        }
    }
}
