import Dataset
import Foundation
import Models
import Tensor
import Vision

/// Mission 1-2's photo preparation on the report page.
extension ReportPage {
    // MARK: Preparation

    func preparation() -> Section {
        guard let csv = named("white_share.csv").first,
              let table = text(csv) else {
            return Section(id: "preparation", title: "1-2 Photo preparation", body: nil,
                           howTo: "Make it with <code>fashion prepare --data DIR/kfashion --out DIR/prepared</code>.")
        }
        let folder = (csv as NSString).deletingLastPathComponent
        var shares: [String: [Double]] = [:], flagged: [String: Int] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 4, let v = Double(f[2]) else { continue }
            shares[String(f[0]), default: []].append(v)
            if f[3] == "1" { flagged[String(f[0]), default: 0] += 1 }
        }
        var body = "<div class=\"row\">"
        for split in shares.keys.sorted() {
            let values = shares[split] ?? []
            let rule = InterquartileRule(values: values)
            body += Charts.histogram(title: "White share after background removal, \(split) (\(values.count) photos)", values: values,
                                     marks: [("lower fence", rule.lower), ("upper fence", rule.upper)], axis: "share of white pixels")
        }
        body += "</div><p>Photos outside the fences (1.5 × IQR beyond the quartiles) are flagged for a look: "
            + Self.escape(shares.keys.sorted().map { "\($0) \(flagged[$0, default: 0])" }.joined(separator: ", ")) + ".</p>"
        let imageFolder = root.appendingPathComponent(folder).appendingPathComponent(Split.training.imageFolder)
        if let names = try? DirectoryListing.fileNames(in: imageFolder) {
            let picks = stride(from: 0, to: names.count, by: max(1, names.count / 8)).prefix(8).map { names[$0] }
            body += "<div class=\"photos\">" + picks.compactMap { name in
                Self.contents(imageFolder.appendingPathComponent(name)).map { Self.image($0, mime: "image/jpeg", alt: name) }
            }.joined() + "</div><p>A few prepared training photos (background white, cropped, padded square, resized).</p>"
        }
        return Section(id: "preparation", title: "1-2 Photo preparation", body: body + Self.source(csv), howTo: "")
    }
}
