import Foundation

/// Learning rate per epoch — PyTorch's schedulers stepped once per epoch.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// No scheduler (the camp's recipe).
    case constant
    /// `StepLR(step_size, gamma)`: multiplied by `gamma` every `every` epochs.
    case step(every: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max = epochs, eta_min = minimum)` in closed form.
    case cosine(epochs: Int, minimum: Double)

    /// The rate for 0-based `epoch` from the base rate.
    public func rate(base: Double, epoch: Int) -> Double {
        switch self {
        case .constant: return base
        case .step(let every, let gamma): return base * pow(gamma, Double(epoch / max(every, 1)))
        case .cosine(let epochs, let minimum):
            return minimum + (base - minimum) * (1 + cos(Double.pi * Double(min(epoch, epochs)) / Double(max(epochs, 1)))) / 2
        }
    }
}
