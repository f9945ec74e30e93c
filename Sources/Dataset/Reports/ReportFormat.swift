/// The formats reports are written in: a terminal, a document, a spreadsheet, a program, a browser.
public enum ReportFormat: String, CaseIterable, Sendable, Codable {
    case text, markdown, csv, json, html
}

/// Plain-text building blocks shared by the reports: aligned columns, Markdown tables,
/// RFC 4180 CSV fields and HTML escaping.
public enum TextTable {
    /// Columns padded to their widest cell; `rightAligned` columns (numbers) pad on the left.
    public static func aligned(header: [String], rows: [[String]], rightAligned: Set<Int> = [], indent: String = "  ") -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { i, cell -> String in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }
            return indent + padded.joined(separator: "  ").replacingTrailingSpaces()
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// A GitHub-flavoured Markdown table (`|` in cells escaped).
    public static func markdown(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { rightAligned.contains($0) ? "---:|" : "---|" }.joined() + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// One CSV record (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled).
    public static func csvLine(_ fields: [String]) -> String {
        fields.map { field in
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }.joined(separator: ",") + "\n"
    }

    /// Text safe inside HTML elements and attribute values.
    public static func htmlEscaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// `4070` → `4,070` (thousands separators for terminal and Markdown output).
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}

extension String {
    func replacingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
