import CBFloat16

/// The precision of the operands of convolutions' and linear layers' products — PyTorch's
/// `torch.autocast('cpu', dtype=torch.bfloat16)`. Everything else (batch norm, losses,
/// reductions, the optimiser and the weights themselves) stays FP32.
public enum Precision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Single precision throughout (the default; bit for bit as before mixed precision existed).
    case fp32
    /// Both operands of each product rounded to bfloat16 (round to nearest even, as PyTorch
    /// converts), products accumulated in FP32, outputs FP32: `VDPBF16PS` on CPUs with
    /// AVX512_BF16, a scalar emulation of the same arithmetic elsewhere (slow; for tests).
    case bf16

    /// `fp32` or `bf16`, as `--precision` spells it.
    public var description: String { rawValue }

    /// Why this precision cannot run at full speed on this CPU, or nil when it can: bf16 needs
    /// AVX512_BF16 (`grep avx512_bf16 /proc/cpuinfo`). The CLI refuses `--precision bf16` with it.
    public var unavailableReason: String? {
        switch self {
        case .fp32: return nil
        case .bf16:
            return BFloat16.hardware ? nil
                : "bf16 needs a CPU with AVX512_BF16 (VDPBF16PS); this one has none (no avx512_bf16 in /proc/cpuinfo)"
        }
    }
}

/// The precision in force for the products recorded now (``withAutocast(_:_:)``).
///
/// A convolution or linear layer reads it when its forward pass runs and keeps it for its
/// backward pass, as PyTorch's autocast does: the backward of a bf16 forward is bf16 even when
/// `backward()` is called outside the autocast block.
public enum Autocast {
    @TaskLocal static var precisionValue: Precision? = nil

    /// The precision outside any ``withAutocast(_:_:)``: ``Precision/fp32`` unless a program sets
    /// it for the whole process (the CLI's `--precision`), before any work starts.
    nonisolated(unsafe) public static var processPrecision: Precision = .fp32

    /// The innermost ``withAutocast(_:_:)``'s precision, else ``processPrecision``.
    public static var precision: Precision { precisionValue ?? processPrecision }
}

/// Runs `body` with convolutions and linear layers computing in `precision`
/// (`with torch.autocast('cpu', dtype=torch.bfloat16):`). Nested calls are fine; the innermost wins.
///
/// ```swift
/// let loss = withAutocast(.bf16) { crossEntropy(model(x), labels) }
/// loss.backward()          // the convolutions' gradients in bf16 too; weights and their gradients FP32
/// ```
public func withAutocast<R>(_ precision: Precision, _ body: () throws -> R) rethrows -> R {
    try Autocast.$precisionValue.withValue(precision, operation: body)
}
