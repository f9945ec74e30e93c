import Dataset
import Foundation
import Models
import Recommender
import Tensor

/// Missions 3-1 and 3-2 on the report page: ROC curves, the methods' figures (decoded as the
/// ``MethodMetrics`` that `recommend` wrote), and the photos' classes in feature space (a PCA
/// of the features the run scored with).
extension ReportPage {
    // MARK: 3 — preference prediction

    /// `metrics.json`: a records array; runs from before 2026-12-05 wrapped it as `{"methods": […]}`.
    static func methodMetrics(_ data: Data) -> [MethodMetrics]? {
        struct Wrapped: Decodable { let methods: [MethodMetrics] }
        let decoder = JSONDecoder()   // MethodMetrics names its snake_case keys itself
        return (try? decoder.decode([MethodMetrics].self, from: data)) ?? (try? decoder.decode(Wrapped.self, from: data))?.methods
    }

    func recommendation() -> Section {
        let withROC = Set(folders(holding: "roc.csv"))
        guard let metrics = named("metrics.json").first(where: { withROC.contains(($0 as NSString).deletingLastPathComponent) }),
              let data = contents(metrics), let methods = Self.methodMetrics(data) else {
            return Section(id: "recommendation", title: "3 Preference prediction (collaborative filtering)", body: nil,
                           howTo: "Make it with <code>fashion recommend --checkpoint DIR/runs/kfashion/best.safetensors --out DIR/runs/recommend</code>.")
        }
        let folder = (metrics as NSString).deletingLastPathComponent
        func inFolder(_ name: String) -> String { folder.isEmpty ? name : folder + "/" + name }
        var body = "<div class=\"row\">"
        // Embedded as an image, never inlined: a script or markup in the file cannot reach the page.
        if let svg = contents(inFolder("roc.svg")) {
            body += Self.image(svg, mime: "image/svg+xml", alt: "ROC curves of every method", cssClass: "plot")
        }
        var featureSource: String? = nil
        for name in ["features.csv", "features.safetensors"] where featureSource == nil && files.contains(inFolder(name)) {
            if let picture = featurePicture(inFolder(name)) { body += picture; featureSource = inFolder(name) }
        }
        body += "</div>"
        func number(_ v: Double?, percent: Bool = false) -> String {
            guard let v, v.isFinite else { return "–" }
            return percent ? String(format: "%.2f", 100 * v) : String(format: "%.4f", v)
        }
        body += Self.table(["method", "scored by the method itself, %", "AUC (validation)", "AUC (training)", "accuracy at 0, %", "at the training threshold, %", "at Youden's, %", "answers"],
                           methods.map { m in
                               [m.method, number(m.ownShare, percent: true), number(m.auc), number(m.trainAUC), number(m.accuracyAt0, percent: true),
                                number(m.accuracyAtTrainThreshold, percent: true), number(m.accuracyAtYouden, percent: true), String(m.pairs)]
                           })
        // Accuracy by the respondent's number of training answers (files from before 2026-12-05 lack it).
        if let buckets = methods.first(where: { $0.byTrainingAnswers != nil })?.byTrainingAnswers {
            body += Self.table(["method"] + buckets.map { "\($0.trainingAnswers) training answers (\($0.pairs)), %" },
                               methods.compactMap { m in
                                   m.byTrainingAnswers.map { [m.method] + $0.map { number($0.accuracy, percent: true) } }
                               })
        }
        return Section(id: "recommendation", title: "3 Preference prediction (collaborative filtering)",
                       body: body + Self.source(metrics) + (featureSource.map(Self.source) ?? ""), howTo: "")
    }

    /// The photos' features projected on their first two principal components, one hue per
    /// class (read from each row's photo name), at most 1,500 points drawn (every k-th row) and
    /// every class's centroid labelled. Nil when the file cannot be read or names no class.
    func featurePicture(_ relative: String) -> String? {
        guard let store = try? FeatureFile.read(contentsOf: url(relative)), store.count >= 3 else { return nil }
        var classes: [String] = [], groupOf: [String: Int] = [:], rows: [Int] = [], groups: [Int] = []
        for (i, stem) in store.stems.enumerated() {
            guard let key = try? ImageRecord(fileName: stem + ".jpg").key else { continue }
            let g = groupOf[key.className] ?? { classes.append(key.className); groupOf[key.className] = classes.count - 1; return classes.count - 1 }()
            rows.append(i); groups.append(g)
        }
        guard rows.count >= 3 else { return nil }
        let d = store.dimension
        var values = [Float](); values.reserveCapacity(rows.count * d)
        for i in rows { values += store.vector(i) }
        guard let pca = try? PCA(fitting: values, count: rows.count, dimension: d, components: 2) else { return nil }
        let projected = pca.transform(values, count: rows.count)
        let step = max(1, rows.count / 1500)
        let points = stride(from: 0, to: rows.count, by: step).map {
            ScatterChart.Point(x: Double(projected[2 * $0]), y: Double(projected[2 * $0 + 1]), group: groups[$0])
        }
        let share = pca.explainedVarianceRatio.map { String(format: "%.1f %%", 100 * $0) }
        let order = classes.indices.sorted { classes[$0] < classes[$1] }
        var renumber = [Int](repeating: 0, count: classes.count)
        for (new, old) in order.enumerated() { renumber[old] = new }
        return ScatterChart.render(title: "Photos in feature space: PCA of \(d)-d features, by class",
                                   points: points.map { ScatterChart.Point(x: $0.x, y: $0.y, group: renumber[$0.group]) },
                                   groups: order.map { classes[$0] }, axes: ("PC1 (\(share[0]) of the variance)", "PC2 (\(share[1]))"))
    }
}
