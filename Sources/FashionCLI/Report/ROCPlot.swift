import Foundation
import Recommender

/// ROC curves as a self-contained SVG: one polyline per method, the chance diagonal, and each
/// method's operating points marked — ● the Youden threshold (tuned on validation), ■ the
/// threshold chosen on training answers.
struct ROCPlot {
    struct Curve {
        var name: String
        var roc: ROCCurve
        /// (fpr, tpr) at the Youden and at the training threshold.
        var youden: (Double, Double)?
        var training: (Double, Double)?
    }
    var curves: [Curve]
    var size = 420.0, margin = 52.0

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    init(curves: [Curve]) { self.curves = curves }

    /// Curves with their operating points from a method's scores.
    init(results: [PreferenceEvaluation.MethodResult], labels: [Bool]) {
        self.curves = results.map { r in
            let y = r.metrics.youdenThreshold ?? .infinity, t = r.metrics.trainThreshold ?? .infinity
            let a = BinaryMetrics.operatingPoint(labels: labels, scores: r.validationScores, threshold: y)
            let b = BinaryMetrics.operatingPoint(labels: labels, scores: r.validationScores, threshold: t)
            return Curve(name: r.method, roc: r.roc, youden: (a.fpr, a.tpr), training: (b.fpr, b.tpr))
        }
    }

    func x(_ fpr: Double) -> Double { margin + fpr * size }
    func y(_ tpr: Double) -> Double { margin + (1 - tpr) * size }
    static func f(_ v: Double) -> String { String(format: "%.2f", v) }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    func svg() -> String {
        let width = size + 2 * margin + 300, height = size + 2 * margin
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<title>ROC curves</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for k in 0...5 {
            let v = Double(k) / 5
            s += "<line x1=\"\(Self.f(x(v)))\" y1=\"\(Self.f(y(0)))\" x2=\"\(Self.f(x(v)))\" y2=\"\(Self.f(y(1)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<line x1=\"\(Self.f(x(0)))\" y1=\"\(Self.f(y(v)))\" x2=\"\(Self.f(x(1)))\" y2=\"\(Self.f(y(v)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(Self.f(x(v)))\" y=\"\(Self.f(y(0) + 16))\" text-anchor=\"middle\">\(String(format: "%.1f", v))</text>\n"
            s += "<text x=\"\(Self.f(x(0) - 6))\" y=\"\(Self.f(y(v) + 4))\" text-anchor=\"end\">\(String(format: "%.1f", v))</text>\n"
        }
        s += "<rect x=\"\(Self.f(margin))\" y=\"\(Self.f(margin))\" width=\"\(Self.f(size))\" height=\"\(Self.f(size))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<line class=\"chance\" x1=\"\(Self.f(x(0)))\" y1=\"\(Self.f(y(0)))\" x2=\"\(Self.f(x(1)))\" y2=\"\(Self.f(y(1)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
        s += "<text x=\"\(Self.f(margin + size / 2))\" y=\"\(Self.f(height - 12))\" text-anchor=\"middle\">false positive rate</text>\n"
        s += "<text transform=\"translate(16 \(Self.f(margin + size / 2))) rotate(-90)\" text-anchor=\"middle\">true positive rate</text>\n"
        for (i, c) in curves.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let points = zip(c.roc.fpr, c.roc.tpr).filter { !$0.0.isNaN && !$0.1.isNaN }.map { "\(Self.f(x($0.0))),\(Self.f(y($0.1)))" }
            s += "<polyline class=\"roc\" data-method=\"\(Self.escape(c.name))\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
            if let (fx, ty) = c.youden, !fx.isNaN, !ty.isNaN {
                s += "<circle class=\"youden\" cx=\"\(Self.f(x(fx)))\" cy=\"\(Self.f(y(ty)))\" r=\"5\" fill=\"\(colour)\"/>\n"
            }
            if let (fx, ty) = c.training, !fx.isNaN, !ty.isNaN {
                s += "<rect class=\"train-threshold\" x=\"\(Self.f(x(fx) - 4.5))\" y=\"\(Self.f(y(ty) - 4.5))\" width=\"9\" height=\"9\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            }
            let ly = margin + 14 + Double(i) * 20
            let auc = c.roc.area.isNaN ? "–" : String(format: "%.3f", c.roc.area)
            s += "<line x1=\"\(Self.f(size + margin + 16))\" y1=\"\(Self.f(ly - 4))\" x2=\"\(Self.f(size + margin + 36))\" y2=\"\(Self.f(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(Self.f(size + margin + 42))\" y=\"\(Self.f(ly))\">\(Self.escape(c.name)) (AUC \(auc))</text>\n"
        }
        let ly = margin + 14 + Double(curves.count) * 20 + 10
        s += "<text x=\"\(Self.f(size + margin + 16))\" y=\"\(Self.f(ly))\" fill=\"#444\">● Youden threshold (validation)</text>\n"
        s += "<text x=\"\(Self.f(size + margin + 16))\" y=\"\(Self.f(ly + 18))\" fill=\"#444\">□ training threshold</text>\n"
        s += "</svg>\n"
        return s
    }
}
