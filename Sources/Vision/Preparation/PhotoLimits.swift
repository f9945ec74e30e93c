/// The shapes of photo the preparation accepts, checked from the header before any buffer derived
/// from the photo is allocated. Preparing pads the subject to a white square of its longer side,
/// so a 1 × 60,000 strip (a 15 KB JPEG) would need a 60,000² square — 43 GB of floats. One rule
/// for every command: `PhotoCheck` (Dataset) (in `stats`, `labels`, `preferences`, `prepare`), the
/// preparer and `predict` refuse the same photos, with the reason.
public enum PhotoLimits {
    /// The longest side accepted: its padded square is 100 megapixels (1.2 GB as floats).
    public static let maximumSide = 10_000
    /// The most elongated photo accepted, longer side over shorter (a K-Fashion photo is ~1.5).
    public static let maximumAspectRatio = 20

    /// Why a `width × height` photo cannot be prepared, or nil when it can.
    public static func problem(width: Int, height: Int) -> String? {
        guard width > 0, height > 0 else { return "frame of \(width)×\(height) pixels" }
        let long = max(width, height), short = min(width, height)
        if long > short * maximumAspectRatio {
            return "aspect ratio \(width)×\(height) is more elongated than \(maximumAspectRatio):1 (its padded square would be \(long)×\(long))"
        }
        if long > maximumSide {
            return "\(width)×\(height) pixels: its padded square (\(long)×\(long)) exceeds \(maximumSide)×\(maximumSide)"
        }
        return nil
    }
}
