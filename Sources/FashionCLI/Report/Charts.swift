import Foundation

/// The report's plots, each a function of its data to an SVG document.
enum Charts {
    struct Series {
        var name: String
        var values: [Double]
    }

    /// Horizontal bars, one row per category and one bar per series in it (labels stay legible
    /// with 31 class names). `format` writes a bar's value at its end.
    static func bars(title: String, categories: [String], series: [Series], axis: String,
                     maximum: Double? = nil, format: (Double) -> String = { SVG.label($0) }) -> String {
        let barHeight = 12.0, gap = 6.0
        let rowHeight = Double(max(1, series.count)) * barHeight + gap
        let labelWidth = min(220, 14 + 7.0 * Double(categories.map(\.count).max() ?? 4))
        let plotWidth = 560.0, top = 34.0 + (series.count > 1 ? 20 : 0), bottom = 40.0
        let height = top + Double(categories.count) * rowHeight + bottom
        let top2 = maximum ?? (series.flatMap(\.values).filter(\.isFinite).max() ?? 1)
        let ticks = SVG.ticks(upTo: max(top2, 1e-9))
        let scale = plotWidth / (ticks.last ?? 1)
        var svg = SVG(width: labelWidth + plotWidth + 70, height: height)
        svg.text(title, x: 8, y: 18, size: 14, bold: true)
        if series.count > 1 {
            var x = labelWidth
            for (k, s) in series.enumerated() {
                svg.rect(x: x, y: 28, width: 12, height: 12, fill: SVG.palette[k % SVG.palette.count])
                svg.text(s.name, x: x + 16, y: 38, size: 12)
                x += 24 + 7 * Double(s.name.count)
            }
        }
        for t in ticks {
            let x = labelWidth + t * scale
            svg.line(x1: x, y1: top - 4, x2: x, y2: height - bottom, stroke: "#e3e3e3")
            svg.text(SVG.label(t), x: x, y: height - bottom + 16, anchor: .middle, size: 11, fill: "#555")
        }
        svg.text(axis, x: labelWidth + plotWidth / 2, y: height - 8, anchor: .middle, size: 12, fill: "#333")
        for (r, category) in categories.enumerated() {
            let y0 = top + Double(r) * rowHeight
            svg.text(category, x: labelWidth - 8, y: y0 + rowHeight / 2 + 1, anchor: .end, size: 12)
            for (k, s) in series.enumerated() where r < s.values.count {
                let v = s.values[r]
                guard v.isFinite else { continue }
                let y = y0 + Double(k) * barHeight
                svg.rect(x: labelWidth, y: y, width: v * scale, height: barHeight - 1, fill: SVG.palette[k % SVG.palette.count],
                         tooltip: "\(category), \(s.name): \(format(v))", cssClass: "bar")
                svg.text(format(v), x: labelWidth + v * scale + 4, y: y + barHeight - 2.5, size: 10, fill: "#444")
            }
        }
        svg.line(x1: labelWidth, y1: top - 4, x2: labelWidth, y2: height - bottom, stroke: "#333")
        return svg.rendered(title: title)
    }

    /// Lines over epochs (x = 1…n), one per series, with the best epoch marked.
    static func lines(title: String, series: [Series], axis: String, bestEpoch: Int?, percent: Bool = false) -> String {
        let width = 460.0, height = 280.0, left = 56.0, right = 16.0, top = 40.0, bottom = 44.0
        let plotW = width - left - right, plotH = height - top - bottom
        let count = series.map(\.values.count).max() ?? 0
        let values = series.flatMap(\.values).filter(\.isFinite)
        let ticks = SVG.ticks(upTo: max(values.max() ?? 1, 1e-9))
        let yMax = ticks.last ?? 1
        func x(_ epoch: Int) -> Double { left + (count > 1 ? Double(epoch - 1) / Double(count - 1) : 0.5) * plotW }
        func y(_ v: Double) -> Double { top + (1 - v / yMax) * plotH }
        var svg = SVG(width: width, height: height)
        svg.text(title, x: 8, y: 18, size: 14, bold: true)
        for t in ticks {
            svg.line(x1: left, y1: y(t), x2: left + plotW, y2: y(t), stroke: "#e3e3e3")
            svg.text(percent ? SVG.label(t * 100) : SVG.label(t), x: left - 6, y: y(t) + 4, anchor: .end, size: 11, fill: "#555")
        }
        let step = max(1, count / 10)
        for e in stride(from: 1, through: max(count, 1), by: step) {
            svg.text(String(e), x: x(e), y: top + plotH + 16, anchor: .middle, size: 11, fill: "#555")
        }
        svg.text("epoch", x: left + plotW / 2, y: height - 8, anchor: .middle, size: 12, fill: "#333")
        svg.text(axis, x: 14, y: top + plotH / 2, anchor: .middle, size: 12, fill: "#333", rotate: -90)
        if let bestEpoch, bestEpoch >= 1, bestEpoch <= count {
            svg.line(x1: x(bestEpoch), y1: top, x2: x(bestEpoch), y2: top + plotH, stroke: "#888", dash: "4 3", cssClass: "best")
            svg.text("best (epoch \(bestEpoch))", x: x(bestEpoch) + (bestEpoch > count / 2 ? -4 : 4), y: top + 12,
                     anchor: bestEpoch > count / 2 ? .end : .start, size: 11, fill: "#555")
        }
        for (k, s) in series.enumerated() {
            let colour = SVG.palette[k % SVG.palette.count]
            let points = s.values.enumerated().map { (x($0.offset + 1), y($0.element)) }
            svg.polyline(points, stroke: colour, cssClass: "curve", label: s.name)
            for (i, v) in s.values.enumerated() where v.isFinite {
                svg.circle(cx: x(i + 1), cy: y(v), r: 2.5, fill: colour,
                           tooltip: "\(s.name), epoch \(i + 1): " + (percent ? String(format: "%.2f %%", 100 * v) : String(format: "%.4f", v)))
            }
            svg.line(x1: left + 8 + Double(k) * 150, y1: 30, x2: left + 28 + Double(k) * 150, y2: 30, stroke: colour, width: 2)
            svg.text(s.name, x: left + 32 + Double(k) * 150, y: 34, size: 12)
        }
        svg.line(x1: left, y1: top, x2: left, y2: top + plotH)
        svg.line(x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH)
        return svg.rendered(title: title)
    }

    /// A confusion matrix as a heat map: rows the truth, columns the prediction, shade the
    /// share of the row (so small classes read as well as large ones), counts written in.
    static func confusion(title: String, classes: [String], matrix: [[Int]]) -> String {
        let n = classes.count
        let cell = n > 20 ? 20.0 : 28.0
        let labelWidth = min(200, 12 + 7.0 * Double(classes.map(\.count).max() ?? 4))
        let top = 36.0 + labelWidth, left = labelWidth + 26
        var svg = SVG(width: left + Double(n) * cell + 20, height: top + Double(n) * cell + 30)
        svg.text(title, x: 8, y: 18, size: 14, bold: true)
        svg.text("predicted →", x: left, y: 34, size: 12, fill: "#333")
        svg.text("true ↓", x: 12, y: top - 6, size: 12, fill: "#333")
        for (j, name) in classes.enumerated() {
            svg.text(name, x: left + (Double(j) + 0.5) * cell + 4, y: top - 6, anchor: .start, size: 11, rotate: -90)
        }
        for (i, name) in classes.enumerated() {
            let row = i < matrix.count ? matrix[i] : []
            let total = max(1, row.reduce(0, +))
            svg.text(name, x: left - 6, y: top + (Double(i) + 0.5) * cell + 4, anchor: .end, size: 11)
            for j in 0..<n {
                let count = j < row.count ? row[j] : 0
                let share = Double(count) / Double(total)
                let shade = Int((1 - share) * 255)
                let fill = i == j ? String(format: "#%02x%02xff", shade, shade) : String(format: "#ff%02x%02x", shade, shade)
                svg.rect(x: left + Double(j) * cell, y: top + Double(i) * cell, width: cell - 1, height: cell - 1,
                         fill: count == 0 ? "#f7f7f7" : fill,
                         tooltip: "true \(name), predicted \(classes[j]): \(count) (\(String(format: "%.1f", 100 * share)) % of the row)",
                         cssClass: "cell")
                if count > 0 {
                    svg.text(String(count), x: left + (Double(j) + 0.5) * cell, y: top + (Double(i) + 0.5) * cell + 4, anchor: .middle,
                             size: cell > 24 ? 11 : 9, fill: share > 0.55 ? "#fff" : "#222")
                }
            }
        }
        return svg.rendered(title: title)
    }

    /// A histogram of values in [lower, upper] with vertical marks (e.g. the IQR fences).
    static func histogram(title: String, values: [Double], bins: Int = 40, range: ClosedRange<Double> = 0...1,
                          marks: [(name: String, at: Double)], axis: String) -> String {
        let width = 560.0, height = 260.0, left = 50.0, right = 16.0, top = 36.0, bottom = 44.0
        let plotW = width - left - right, plotH = height - top - bottom
        var counts = [Int](repeating: 0, count: bins)
        for v in values where v.isFinite {
            let k = Int(((v - range.lowerBound) / (range.upperBound - range.lowerBound) * Double(bins)).rounded(.down))
            counts[min(bins - 1, max(0, k))] += 1
        }
        let ticks = SVG.ticks(upTo: Double(max(counts.max() ?? 1, 1)), count: 4)
        let yMax = ticks.last ?? 1
        func x(_ v: Double) -> Double { left + (v - range.lowerBound) / (range.upperBound - range.lowerBound) * plotW }
        var svg = SVG(width: width, height: height)
        svg.text(title, x: 8, y: 18, size: 14, bold: true)
        for t in ticks {
            let y = top + (1 - t / yMax) * plotH
            svg.line(x1: left, y1: y, x2: left + plotW, y2: y, stroke: "#e3e3e3")
            svg.text(SVG.label(t), x: left - 6, y: y + 4, anchor: .end, size: 11, fill: "#555")
        }
        let binW = plotW / Double(bins)
        for (k, c) in counts.enumerated() where c > 0 {
            let h = Double(c) / yMax * plotH
            let lo = range.lowerBound + Double(k) * (range.upperBound - range.lowerBound) / Double(bins)
            svg.rect(x: left + Double(k) * binW, y: top + plotH - h, width: binW - 1, height: h, fill: "#6b9bd1",
                     tooltip: String(format: "%.3f–%.3f: %d", lo, lo + (range.upperBound - range.lowerBound) / Double(bins), c), cssClass: "bin")
        }
        for t in 0...5 {
            let v = range.lowerBound + Double(t) / 5 * (range.upperBound - range.lowerBound)
            svg.text(String(format: "%.1f", v), x: x(v), y: top + plotH + 16, anchor: .middle, size: 11, fill: "#555")
        }
        for (k, m) in marks.enumerated() where m.at.isFinite {
            let xm = min(max(x(m.at), left), left + plotW)
            svg.line(x1: xm, y1: top, x2: xm, y2: top + plotH, stroke: "#d62728", width: 1.5, dash: "5 3", cssClass: "mark")
            // Labels on the side with room, one line each.
            let leftSide = xm > left + plotW * 0.6
            svg.text("\(m.name) \(String(format: "%.3f", m.at))", x: xm + (leftSide ? -4 : 4), y: top + 12 + Double(k) * 14,
                     anchor: leftSide ? .end : .start, size: 11, fill: "#d62728")
        }
        svg.line(x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH)
        svg.text(axis, x: left + plotW / 2, y: height - 8, anchor: .middle, size: 12, fill: "#333")
        return svg.rendered(title: title)
    }
}
