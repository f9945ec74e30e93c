import Dataset
import Foundation
import Models
import Tensor
import Vision

/// One self-contained HTML page (inline SVG, CSS and images; no network) over everything a
/// folder of outputs holds: `make demo`'s `demo-output/`, or any folder with the commands'
/// outputs in it. Each section reads the files it understands wherever they are under the
/// root (up to four levels down; photo folders are not entered); a section without its
/// files says which command makes them.
///
/// The markup is XHTML-clean (every tag closed, every text escaped) so it also parses as XML.
struct ReportPage {
    let root: URL
    /// Found files, relative paths sorted.
    let files: [String]

    struct Section {
        var id: String
        var title: String
        /// The body, or nil when its outputs are missing.
        var body: String?
        /// How to make the outputs when they are missing.
        var howTo: String
    }

    init(root: URL) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError("\(root.path): folder not found (give the folder `make demo` or the commands wrote to)")
        }
        files = Self.scan(root)
    }

    struct ReportError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// Relative paths of the files under `root`, four levels deep, skipping photo and label
    /// folders and hidden entries.
    static func scan(_ root: URL) -> [String] {
        var out: [String] = []
        func walk(_ folder: URL, _ relative: String, depth: Int) {
            guard depth <= 4 else { return }
            OutputSet.settle(in: folder)   // a committed output a killed writer left half renamed is finished first
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let url = folder.appendingPathComponent(name), rel = relative.isEmpty ? name : relative + "/" + name
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    if name.hasSuffix("_image") || name.hasSuffix("_label") || name == "backbone" { continue }
                    walk(url, rel, depth: depth + 1)
                } else {
                    out.append(rel)
                }
            }
        }
        walk(root, "", depth: 0)
        return out
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    /// The bytes of a file under the root, when it is a regular file within the JSON cap (a FIFO,
    /// a device or a huge file named like an output is left out, never read).
    func contents(_ relative: String) -> Data? { Self.contents(url(relative)) }
    static func contents(_ url: URL) -> Data? { try? ReadableFile.read(url, limit: ReadableFile.Limit.json, what: "a report input") }
    /// ``contents(_:)`` as UTF-8 text.
    func text(_ relative: String) -> String? { contents(relative).map { String(decoding: $0, as: UTF8.self) } }
    func named(_ name: String) -> [String] { files.filter { $0 == name || $0.hasSuffix("/" + name) } }
    func folders(holding name: String) -> [String] {
        named(name).map { ($0 as NSString).deletingLastPathComponent }
    }

    // MARK: Page

    func sections() -> [Section] {
        [classDistribution(), labels(), preferences(), preparation()] + training() + [recommendation(), fewShot()]
    }

    /// The page over `sections` (built from the folder when not given).
    func html(sections given: [Section]? = nil, generated: Date = Date()) -> String {
        let sections = given ?? sections()
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>FashionStyle report — \(Self.escape(root.lastPathComponent))</title>
        <style>\(Self.css)</style></head><body>
        <header><h1>FashionStyle report</h1><p>Outputs under <code>\(Self.escape(root.path))</code>,
        \(Self.escape(ISO8601DateFormatter().string(from: generated))). Every figure below is read from those files.</p>
        <nav>\(sections.map { "<a href=\"#\($0.id)\"\($0.body == nil ? " class=\"missing\"" : "")>\(Self.escape($0.title))</a>" }.joined(separator: " "))</nav></header>

        """
        for s in sections {
            page += "<section id=\"\(s.id)\"><h2>\(Self.escape(s.title))</h2>\n"
            page += s.body ?? "<p class=\"missing\">Not in this folder. \(s.howTo)</p>"
            page += "\n</section>\n"
        }
        page += "</body></html>\n"
        return page
    }

    static let css = """
    body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1240px;padding:0 20px 40px;color:#222}
    header{border-bottom:1px solid #ddd;margin-bottom:12px}nav a{margin-right:12px;white-space:nowrap}
    nav a.missing{color:#999}section{margin:28px 0}h2{border-bottom:2px solid #1f77b4;padding-bottom:4px}
    .missing{color:#777;font-style:italic}table{border-collapse:collapse;font-size:13px;margin:8px 0}
    th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f3f6fa}td.name,th.name{text-align:left}
    .scroll{max-height:420px;overflow:auto;display:inline-block;border:1px solid #ddd}
    .row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}svg.plot{background:#fff;max-width:100%;height:auto}
    .photos img{width:112px;height:112px;margin:2px;border:1px solid #ddd}img.sheet{max-width:100%}
    code{background:#f4f4f4;padding:1px 4px}
    """

    static func escape(_ s: String) -> String { SVG.escape(s) }


    static func table(_ header: [String], _ rows: [[String]], nameColumns: Int = 1) -> String {
        var t = "<table><thead><tr>" + header.enumerated().map { "<th\($0.offset < nameColumns ? " class=\"name\"" : "")>\(escape($0.element))</th>" }.joined() + "</tr></thead><tbody>"
        for r in rows {
            t += "<tr>" + r.enumerated().map { "<td\($0.offset < nameColumns ? " class=\"name\"" : "")>\(escape($0.element))</td>" }.joined() + "</tr>"
        }
        return t + "</tbody></table>"
    }

    static func image(_ data: Data, mime: String, alt: String, cssClass: String? = nil) -> String {
        "<img\(cssClass.map { " class=\"\($0)\"" } ?? "") alt=\"\(escape(alt))\" src=\"data:\(mime);base64,\(data.base64EncodedString())\"/>"
    }

    static func source(_ relative: String) -> String { "<p class=\"source\">From <code>\(escape(relative))</code>.</p>" }
}
