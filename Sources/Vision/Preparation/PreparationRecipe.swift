import Foundation

extension PhotoPreparer {
    /// The preparation as a short, stable text for a checkpoint's metadata and
    /// `normalization.json` — `background=flood margin=0.02` (`flood`, `white` or `masks`) —
    /// so a photo can later be prepared the way the model's training photos were.
    /// Flood-fill tolerances other than the defaults are spelled out
    /// (`step=…`, `global=…`, `morphology=…`).
    public var recipe: String {
        var parts: [String]
        switch background {
        case .floodFill(let r):
            parts = ["background=flood"]
            let d = BackgroundRemover()
            if r.stepTolerance != d.stepTolerance { parts.append("step=\(r.stepTolerance)") }
            if r.globalTolerance != d.globalTolerance { parts.append("global=\(r.globalTolerance)") }
            if r.morphologyRadius != d.morphologyRadius { parts.append("morphology=\(r.morphologyRadius)") }
        case .alreadyWhite: parts = ["background=white"]
        case .externalMasks: parts = ["background=masks"]
        }
        parts.append("margin=\(margin)")
        return parts.joined(separator: " ")
    }

    /// The preparer a ``recipe`` describes, at `size` px; nil when the text is not a recipe
    /// or needs masks (`background=masks`: another tool's masks exist only for its photos)
    /// and `masks` is nil.
    public init?(recipe: String, size: Int, masks: URL? = nil) {
        var fields: [String: String] = [:]
        for part in recipe.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { return nil }
            fields[kv[0]] = kv[1]
        }
        guard let margin = Double(fields["margin"] ?? "0.02"), margin.isFinite, margin >= 0 else { return nil }
        switch fields["background"] {
        case "flood":
            var r = BackgroundRemover()
            if let s = fields["step"] { guard let v = Float(s) else { return nil }; r.stepTolerance = v }
            if let s = fields["global"] { guard let v = Float(s) else { return nil }; r.globalTolerance = v }
            if let s = fields["morphology"] { guard let v = Double(s) else { return nil }; r.morphologyRadius = v }
            self.init(size: size, background: .floodFill(r), margin: margin)
        case "white": self.init(size: size, background: .alreadyWhite, margin: margin)
        case "masks":
            guard let masks else { return nil }
            self.init(size: size, background: .externalMasks(masks), margin: margin)
        default: return nil
        }
    }
}
