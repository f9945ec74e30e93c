import Foundation

/// A scatter of points in groups (each group its own hue), the groups' centroids labelled —
/// the report's picture of the photos' classes in feature space.
enum ScatterChart {
    struct Point { var x: Double, y: Double, group: Int }

    static func render(title: String, points: [Point], groups: [String], axes: (String, String)) -> String {
        let width = 640.0, height = 520.0, left = 48.0, right = 16.0, top = 36.0, bottom = 40.0
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite && groups.indices.contains($0.group) }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        func x(_ v: Double) -> Double { left + (v - x0) / max(1e-12, x1 - x0) * (width - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (v - y0) / max(1e-12, y1 - y0)) * (height - top - bottom) }
        func hue(_ g: Int) -> String { "hsl(\(Int(360 * Double(g) / Double(max(1, groups.count)))),65%,45%)" }
        var svg = SVG(width: width, height: height)
        svg.text(title, x: 8, y: 18, size: 14, bold: true)
        svg.rect(x: left, y: top, width: width - left - right, height: height - top - bottom, fill: "none", stroke: "#ccc")
        svg.text(axes.0, x: left + (width - left - right) / 2, y: height - 12, anchor: .middle, size: 12, fill: "#333")
        svg.text(axes.1, x: 12, y: top - 8, size: 12, fill: "#333")
        for p in finite { svg.circle(cx: x(p.x), cy: y(p.y), r: 2, fill: hue(p.group), cssClass: "point") }
        for (g, name) in groups.enumerated() {
            let mine = finite.filter { $0.group == g }
            guard !mine.isEmpty else { continue }
            let cx = mine.map(\.x).reduce(0, +) / Double(mine.count), cy = mine.map(\.y).reduce(0, +) / Double(mine.count)
            svg.text(name, x: x(cx), y: y(cy), anchor: .middle, size: 10, fill: hue(g), bold: true)
        }
        return svg.rendered(title: title)
    }
}
