import Dataset
import Foundation

/// A small SVG writer for the report's plots: elements in drawing order, coordinates with two
/// decimals, text escaped, so the output is well-formed XML (the tests parse it).
struct SVG {
    let width: Double, height: Double
    private(set) var elements: [String] = []

    init(width: Double, height: Double) { self.width = width; self.height = height }

    static func f(_ v: Double) -> String { v.isFinite ? String(format: "%.2f", v) : "0" }

    /// Text safe in SVG/XML elements and attributes (the reports' HTML escaping).
    static func escape(_ s: String) -> String { TextTable.htmlEscaped(s) }

    /// `key="value"` pairs, values escaped; nil values left out.
    static func attributes(_ pairs: KeyValuePairs<String, String?>) -> String {
        pairs.compactMap { k, v in v.map { " \(k)=\"\(escape($0))\"" } }.joined()
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                       tooltip: String? = nil, cssClass: String? = nil) {
        let a = Self.attributes(["class": cssClass, "x": Self.f(x), "y": Self.f(y), "width": Self.f(max(0, width)),
                                 "height": Self.f(max(0, height)), "fill": fill, "stroke": stroke])
        elements.append(tooltip.map { "<rect\(a)><title>\(Self.escape($0))</title></rect>" } ?? "<rect\(a)/>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#333", width: Double = 1,
                       dash: String? = nil, cssClass: String? = nil) {
        elements.append("<line" + Self.attributes(["class": cssClass, "x1": Self.f(x1), "y1": Self.f(y1), "x2": Self.f(x2), "y2": Self.f(y2),
                                                   "stroke": stroke, "stroke-width": Self.f(width), "stroke-dasharray": dash]) + "/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, cssClass: String? = nil, label: String? = nil) {
        let p = points.filter { $0.0.isFinite && $0.1.isFinite }.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        elements.append("<polyline" + Self.attributes(["class": cssClass, "data-series": label, "points": p, "fill": "none",
                                                       "stroke": stroke, "stroke-width": Self.f(width)]) + "/>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, tooltip: String? = nil, cssClass: String? = nil) {
        let a = Self.attributes(["class": cssClass, "cx": Self.f(cx), "cy": Self.f(cy), "r": Self.f(r), "fill": fill])
        elements.append(tooltip.map { "<circle\(a)><title>\(Self.escape($0))</title></circle>" } ?? "<circle\(a)/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ s: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12,
                       fill: String = "#222", rotate: Double? = nil, bold: Bool = false, cssClass: String? = nil) {
        let transform = rotate.map { "rotate(\(Self.f($0)) \(Self.f(x)) \(Self.f(y)))" }
        elements.append("<text" + Self.attributes(["class": cssClass, "x": Self.f(x), "y": Self.f(y), "text-anchor": anchor.rawValue,
                                                   "font-size": Self.f(size), "fill": fill, "transform": transform,
                                                   "font-weight": bold ? "bold" : nil]) + ">\(Self.escape(s))</text>")
    }

    /// The document, with a `<title>` for screen readers and tooltips.
    func rendered(title: String, cssClass: String = "plot") -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(cssClass)\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" "
            + "viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" font-family=\"sans-serif\" role=\"img\">"
            + "<title>\(Self.escape(title))</title>\n" + elements.joined(separator: "\n") + "\n</svg>"
    }

    /// Rounded tick values covering 0…`maximum` (about `count` of them).
    static func ticks(upTo maximum: Double, count: Int = 5) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0, 1] }
        let raw = maximum / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: 0, through: maximum + step * 0.999, by: step).map { $0 }
    }

    /// Tick labels without trailing zeros.
    static func label(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%g", v)
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
}
