/// How ``PlanarImage/padded(left:top:right:bottom:mode:)`` fills the border — torchvision's
/// `padding_mode` of `F.pad` and `RandomCrop`.
public enum PaddingMode: Sendable, Equatable {
    /// A constant value (torchvision's `"constant"` with `fill`).
    case constant(Float)
    /// The last pixel repeated (`"edge"`).
    case edge
    /// Mirrored about the last pixel, which is not repeated (`"reflect"`: 2 1 | 1 2 3 | 2 1).
    case reflect
    /// Mirrored with the last pixel repeated (`"symmetric"`: 2 1 | 1 2 3 | 3 2).
    case symmetric

    /// The source index of padded index `i` (from −pad) along an axis of `n` pixels; nil for a
    /// constant's border. Valid where ``problem(pad:size:)`` finds nothing for the padding.
    public func source(_ i: Int, _ n: Int) -> Int? {
        if i >= 0 && i < n { return i }
        switch self {
        case .constant: return nil
        case .edge: return min(max(i, 0), n - 1)
        case .reflect: return i < 0 ? -i : 2 * (n - 1) - i
        case .symmetric: return i < 0 ? -i - 1 : 2 * n - 1 - i
        }
    }

    /// Why padding an axis of `n` pixels by `pad` cannot be done in this mode (nil: it can).
    /// As torchvision, `reflect` needs `pad < n`, `symmetric` `pad ≤ n`, `edge` a pixel.
    public func problem(pad: Int, size n: Int) -> String? {
        switch self {
        case .constant: return nil
        case .edge: return n > 0 || pad == 0 ? nil : "edge padding of an empty axis"
        case .reflect: return pad < n || pad == 0 ? nil : "reflect padding of \(pad) needs more than \(pad) pixels, the axis has \(n)"
        case .symmetric: return pad <= n ? nil : "symmetric padding of \(pad) needs \(pad) pixels, the axis has \(n)"
        }
    }
}

extension PlanarImage {
    /// `F.pad(img, [left, top, right, bottom], padding_mode=…)` in any of torchvision's modes.
    public func padded(left: Int, top: Int, right: Int, bottom: Int, mode: PaddingMode) -> PlanarImage {
        if case .constant(let fill) = mode { return padded(left: left, top: top, right: right, bottom: bottom, fill: fill) }
        for (pad, n) in [(max(left, right), width), (max(top, bottom), height)] {
            if let why = mode.problem(pad: pad, size: n) { preconditionFailure("padded: \(why)") }
        }
        let h = height + top + bottom, w = width + left + right
        var out = PlanarImage(channels: channels, height: h, width: w, fill: 0)
        let columns = (0..<w).map { mode.source($0 - left, width) ?? 0 }
        for c in 0..<channels {
            for y in 0..<h {
                let row = (c * height + (mode.source(y - top, height) ?? 0)) * width, o = (c * h + y) * w
                for x in 0..<w { out.values[o + x] = values[row + columns[x]] }
            }
        }
        return out
    }
}
