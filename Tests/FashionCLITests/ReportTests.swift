import TestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Models
import Recommender
import Tensor
import Testing
@testable import FashionCLI

/// The report page from a fixture folder: well-formed (parsed as XML), every section there,
/// the plots holding what their data says.
@Suite struct ReportTests {
    static let classes = (0..<31).map { k in "style\(k)_\(k < 24 ? "W" : "M")" }

    /// A folder with one output of every kind, as the commands write them.
    static func fixture() throws -> URL {
        let root = TemporaryFolder.name("report")
        func write(_ relative: String, _ text: String) throws {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        func json(_ object: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) }
        let counts: [[String: Any]] = classes.enumerated().flatMap { k, c -> [[String: Any]] in
            let parts = c.split(separator: "_")
            return [["split": "training", "gender": String(parts[1]), "style": String(parts[0]), "count": 10 + k],
                    ["split": "validation", "gender": String(parts[1]), "style": String(parts[0]), "count": 3 + k % 4]]
        }
        // 1-1 as written now (an array of records), 2-1 as before (an object holding `rows`).
        try write("reports/mission-1-1.json", try json(counts))
        try write("reports/mission-2-1.json", try json(["rows": counts]))
        // 2-2 as written now: the long answer records and the totals beside them.
        let answers: [(String, String, Bool)] = [("training", "a.jpg", true), ("training", "b.jpg", true), ("training", "c.jpg", false),
                                                 ("validation", "d <&> e.jpg", false)]
        try write("reports/mission-2-2-top100.json", try json(answers.map { ["rank": 1, "respondent": 7, "split": $0.0, "image": $0.1, "liked": $0.2] }
                                                                + [["rank": 2, "respondent": 9, "split": "validation", "image": "f.jpg", "liked": true]]))
        try write("reports/mission-2-2-top100.totals.csv", "name,value\nanswers kept,42\nrespondents,2\n")
        try write("prepared/white_share.csv", "split,file,white_share,flagged\n"
                  + (0..<50).map { "training,T_\($0).jpg,\(0.6 + Double($0) / 200),\($0 == 49 ? 1 : 0)\n" }.joined())
        let log = (1...4).map { e in
            #"{"epoch":\#(e),"learning_rate":0.001,"seconds":10,"images_per_second":100,"train_loss":\#(2.0 / Double(e)),"validation_loss":\#(2.5 / Double(e)),"train_accuracy":\#(0.2 * Double(e)),"validation_accuracy":\#(0.15 * Double(e)),"best":\#(e == 3)}"#
        }.joined(separator: "\n")
        try write("runs/kfashion/log.jsonl", log + "\n")
        // A log written before the keys were snake_case.
        let oldLog = (1...4).map { e in
            #"{"epoch":\#(e),"learningRate":0.001,"seconds":10,"imagesPerSecond":100,"trainLoss":\#(2.0 / Double(e)),"validationLoss":\#(2.5 / Double(e)),"trainAccuracy":\#(0.2 * Double(e)),"validationAccuracy":\#(0.15 * Double(e)),"best":\#(e == 3)}"#
        }.joined(separator: "\n")
        try write("runs/old/log.jsonl", oldLog + "\n")
        // A Fashion-MNIST run: its held-out figures are the test set's.
        try write("runs/zz-fashion-mnist/log.jsonl", #"{"epoch":1,"learning_rate":0.001,"seconds":10,"images_per_second":100,"train_loss":0.9,"validation_loss":0.5,"train_accuracy":0.8,"validation_accuracy":0.86,"best":true,"held_out":"test"}"# + "\n")
        let matrix = (0..<31).map { i in (0..<31).map { j in i == j ? 5 : (j == (i + 1) % 31 ? 1 : 0) } }
        try write("runs/kfashion/evaluation.json", try json(["classes": classes, "confusion": matrix]))
        // metrics.json as `recommend` writes it (MethodMetrics records), and a features file
        // whose rows name photos of three classes.
        let labels = (0..<100).map { $0 % 3 == 0 }, scores = (0..<100).map { Double(($0 * 37) % 100) / 100 - 0.4 }
        let metrics = MethodMetrics(method: "item", labels: labels, scores: scores, trainingLabels: labels, trainingScores: scores, ownScored: 90)
        try write("runs/recommend/metrics.json", String(decoding: try JSONStyle.encoder().encode([metrics]), as: UTF8.self))
        let featureRows = (0..<30).map { i in
            let style = ["punk_W", "ivy_M", "minimal_W"][i % 3]
            return "T_\(String(format: "%05d", i))_10_\(style)," + (0..<4).map { j in String(Double((i % 3) * 2 + j) + Double((i * 7 + j) % 5) / 10) }.joined(separator: ",")
        }
        try write("runs/recommend/features.csv", "stem,f0,f1,f2,f3\n" + featureRows.joined(separator: "\n") + "\n")
        try write("runs/recommend/roc.csv", "threshold,fpr,tpr\n")
        try write("runs/recommend/roc.svg", #"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><polyline class="roc" points="0,0 1,1"/></svg>"#)
        let rows: [[String: Any]] = ["oversampling ×30", "VAE sampling ×30"].map { m in
            ["method": m, "cells": [5, 10].map { n in
                ["shots": n, "draws": 3, "harmonicMean": 0.4 + 0.01 * Double(n), "harmonicStd": 0.02, "accuracyMean": 0.7, "accuracyStd": 0.01]
            }]
        }
        try write("runs/fewshot/table.json", try json(["shots": [5, 10], "rows": rows]))
        #expect(try JSONDecoder().decode(FewShotProtocol.Table.self, from: Data(contentsOf: root.appendingPathComponent("runs/fewshot/table.json"))).rows.count == 2)
        return root
    }

    /// Element counts and texts of a parsed page, per section id.
    final class Census: NSObject, XMLParserDelegate {
        var section = "", counts: [String: [String: Int]] = [:], texts: [String: [String]] = [:], classes: [String: [String: Int]] = [:]
        var inText = false, current = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == "section" { section = attributes["id"] ?? "?" }
            counts[section, default: [:]][name, default: 0] += 1
            if let c = attributes["class"] { classes[section, default: [:]][c, default: 0] += 1 }
            if name == "text" { inText = true; current = "" }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { texts[section, default: []].append(current); inText = false }
            if name == "section" { section = "" }
        }
    }

    static func census(_ html: String) throws -> Census {
        let parser = XMLParser(data: Data(html.utf8))
        let census = Census()
        parser.delegate = census
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") at line \(parser.lineNumber)")
        return census
    }

    @Test func everySectionFromAFullFolder() throws {
        let page = try ReportPage(root: try Self.fixture())
        let html = page.html()
        let census = try Self.census(html)
        // 2-2's counts per respondent from the long records, and the totals beside them.
        #expect(html.contains("<td>1</td><td>7</td><td>4</td><td>2</td><td>1</td><td>0</td><td>1</td>"))
        #expect(html.contains("<td>2</td><td>9</td><td>1</td><td>0</td><td>0</td><td>1</td><td>0</td>"))
        #expect(html.contains("<td class=\"name\">answers kept</td><td>42</td>"))
        // A log in the older camelCase keys draws the same curves.
        #expect(census.classes["training-2"]?["curve"] == 4)
        #expect(census.texts["training-3"]?.contains("test") == true && census.texts["training-3"]?.contains("validation") == false)
        #expect(census.texts["training-1"]?.contains("validation") == true)
        let ids = ["class-distribution", "labels", "preferences", "preparation", "training-1", "recommendation", "fewshot"]
        for id in ids {
            #expect(census.counts[id] != nil, "section \(id) missing")
            #expect(census.classes[id]?["missing"] == nil, "section \(id) says its outputs are missing")
        }
        // 1-1: two bars (training, validation) for each of the 31 classes, every class named.
        #expect(census.classes["class-distribution"]?["bar"] == 62)
        #expect(Set(Self.classes).isSubset(of: Set(census.texts["class-distribution"] ?? [])))
        // Training: loss and accuracy curves for both splits, the best epoch marked in each,
        // 31 accuracy bars and a 31 × 31 confusion matrix with every class on both axes.
        #expect(census.classes["training-1"]?["curve"] == 4)
        #expect(census.classes["training-1"]?["best"] == 2)
        #expect((census.texts["training-1"] ?? []).contains("best (epoch 3)"))
        #expect(census.classes["training-1"]?["bar"] == 31)
        #expect(census.classes["training-1"]?["cell"] == 31 * 31)
        let trainingTexts = census.texts["training-1"] ?? []
        for c in Self.classes { #expect(trainingTexts.filter { $0 == c }.count >= 3, "\(c) on the bars and both matrix axes") }
        // Preparation: a histogram with both fences; 2-2: the escaped file name counted, not shown raw.
        #expect(census.classes["preparation"]?["mark"] == 2 && (census.classes["preparation"]?["bin"] ?? 0) > 0)
        #expect(census.counts["preferences"]?["table"] == 2)
        // Few-shot: one bar per (method, n_f); ROC: the curve embedded.
        #expect(census.classes["fewshot"]?["bar"] == 4)
        #expect(html.contains("<img class=\"plot\" alt=\"ROC curves of every method\" src=\"data:image/svg+xml;base64,"))
        // The methods' figures from the MethodMetrics records; the features' PCA: every row a
        // point, the three classes' centroids named.
        #expect(html.contains("<td class=\"name\">item</td><td>90.00</td>"))
        #expect(census.classes["recommendation"]?["point"] == 30)
        #expect(Set(["punk_W", "ivy_M", "minimal_W"]).isSubset(of: Set(census.texts["recommendation"] ?? [])))
        // metrics.json of before 2026-12-05 ({"methods": […]}) reads the same.
        let metrics = try Data(contentsOf: page.root.appendingPathComponent("runs/recommend/metrics.json"))
        let records = try #require(try JSONSerialization.jsonObject(with: metrics) as? [Any])
        let wrapped = try JSONSerialization.data(withJSONObject: ["methods": records])
        #expect(ReportPage.methodMetrics(wrapped)?.first?.method == "item")
    }

    /// 2-2 reports written before the long form: an object with `rows` (lists, keys in
    /// snake_case or camelCase) and `totals`.
    @Test func olderPreferenceReportsStillRead() throws {
        let root = TemporaryFolder.name("report-old")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("reports"), withIntermediateDirectories: true)
        let old: [String: Any] = ["title": "Mission 2-2: the 100 respondents with the most answers",
                                  "totals": [["name": "answers kept", "value": 42]],
                                  "rows": [["rank": 1, "respondent": 7, "answers": 5, "training_liked": ["a.jpg", "b.jpg"], "training_disliked": ["c.jpg"],
                                            "validationLiked": [], "validationDisliked": ["d <&> e.jpg"]]]]
        try JSONSerialization.data(withJSONObject: old).write(to: root.appendingPathComponent("reports/mission-2-2-top100.json"))
        let html = try ReportPage(root: root).html()
        #expect(html.contains("<td>5</td><td>2</td><td>1</td><td>0</td><td>1</td>"))
        #expect(html.contains("<td class=\"name\">answers kept</td><td>42</td>"))
    }

    /// Markup in every text field the page reads from a file is escaped, and `roc.svg` is embedded
    /// as an image (a script in it never runs in the page): no `<script`, no injected attribute.
    @Test func hostileTextInEveryFieldIsEscaped() throws {
        let root = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: root) }
        let evil = "<script>alert(1)</script>\"'><b onmouseover=x>&amp;"
        func write(_ relative: String, _ text: String) throws { try Data(text.utf8).write(to: root.appendingPathComponent(relative)) }
        func json(_ object: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) }
        let counts: [[String: Any]] = [["split": evil, "gender": evil, "style": evil, "count": 3], ["split": "training", "gender": "W", "style": evil, "count": 2]]
        try write("reports/mission-1-1.json", try json(counts))
        try write("reports/mission-2-1.json", try json(counts))
        try write("reports/mission-1-1.totals.csv", "name,value\n\"\(evil.replacingOccurrences(of: "\"", with: "\"\""))\",1\n")
        try write("reports/mission-2-2-top100.json", try json([["rank": 1, "respondent": 7, "split": evil, "image": evil, "liked": true]]))
        try write("reports/mission-2-2-top100.totals.csv", "name,value\n\(evil.replacingOccurrences(of: ",", with: ";")),\(evil.replacingOccurrences(of: ",", with: ";"))\n")
        try write("prepared/white_share.csv", "split,file,white_share,flagged\n" + (0..<20).map { "\(evil.replacingOccurrences(of: ",", with: ";")),T_\($0).jpg,0.5,1\n" }.joined())
        try write("runs/kfashion/evaluation.json", try json(["classes": [evil, "b"], "confusion": [[1, 0], [0, 1]]]))
        let labels = (0..<20).map { $0 % 2 == 0 }, scores = (0..<20).map { Double($0) / 20 }
        let metrics = MethodMetrics(method: evil, labels: labels, scores: scores, trainingLabels: labels, trainingScores: scores, ownScored: 10)
        try write("runs/recommend/metrics.json", String(decoding: try JSONStyle.encoder().encode([metrics]), as: UTF8.self))
        try write("runs/recommend/roc.svg", #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(2)</script><text onload="alert(3)">x</text></svg>"#)
        let featureRows = (0..<9).map { i in "T_\(String(format: "%05d", i))_10_\(["<script>x</script>_W", "ivy_M", "a\"b_W"][i % 3]),\(i),\(i % 3),\(i * i % 5)" }
        try write("runs/recommend/features.csv", "stem,f0,f1,f2\n" + featureRows.joined(separator: "\n") + "\n")
        let rows: [[String: Any]] = [["method": evil, "cells": [["shots": 5, "draws": 1, "harmonicMean": 0.4, "harmonicStd": 0, "accuracyMean": 0.7, "accuracyStd": 0]]]]
        try write("runs/fewshot/table.json", try json(["shots": [5], "rows": rows]))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("runs/\(evil.replacingOccurrences(of: "/", with: "|"))"), withIntermediateDirectories: true)
        try write("runs/\(evil.replacingOccurrences(of: "/", with: "|"))/log.jsonl", #"{"epoch":1,"learning_rate":0.001,"seconds":10,"images_per_second":100,"train_loss":0.9,"validation_loss":0.5,"train_accuracy":0.8,"validation_accuracy":0.86,"best":true,"held_out":"<script>t</script>"}"# + "\n")

        let html = try ReportPage(root: root).html()
        #expect(!html.lowercased().contains("<script"), "a script element reached the page")
        #expect(!html.contains("<b onmouseover"), "markup reached the page")
        #expect(!html.contains("onload="), "an SVG file's attributes reached the page")
        _ = try Self.census(html)   // still well-formed
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile text is shown, escaped")
    }

    @Test func anEmptyFolderSaysHowToMakeEachSection() throws {
        let root = TemporaryFolder.name("report-empty")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let page = try ReportPage(root: root)
        #expect(page.sections().allSatisfy { $0.body == nil && $0.howTo.contains("fashion ") })
        let census = try Self.census(page.html())
        #expect(census.counts.values.allSatisfy { ($0["svg"] ?? 0) == 0 })
        #expect(throws: ReportPage.ReportError.self) { try ReportPage(root: root.appendingPathComponent("nope")) }
    }

    @Test func svgWriterEscapesAndTicksRound() throws {
        var svg = SVG(width: 10, height: 10)
        svg.text("a <b> & \"c\"", x: 1, y: 2)
        let text = svg.rendered(title: "t & u")
        #expect(text.contains("a &lt;b&gt; &amp; &quot;c&quot;") && text.contains("<title>t &amp; u</title>"))
        _ = try Self.census("<section id=\"x\">" + text + "</section>")
        #expect(SVG.ticks(upTo: 87) == [0, 20, 40, 60, 80, 100])
        #expect(SVG.ticks(upTo: 1).count == 6 && SVG.ticks(upTo: 1).last == 1)
        #expect(SVG.label(20) == "20" && SVG.label(0.25) == "0.25")
    }
}
