/// Self-contained HTML: escaped tables and a page with a scrollable table style.
public enum HTMLTable {
    /// A `<table>` with escaped header and cells.
    public static func table(header: [String], rows: [[String]], className: String? = nil) -> String {
        var out = className.map { "<table class=\"\(TextTable.htmlEscaped($0))\">\n" } ?? "<table>\n"
        out += "<thead><tr>" + header.map { "<th>\(TextTable.htmlEscaped($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + row.map { "<td>\(TextTable.htmlEscaped($0))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    /// A whole page; tables inside `<div class="scroll">` scroll within a fixed-height box with a sticky header.
    public static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(TextTable.htmlEscaped(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; position: sticky; top: 0; }
        .scroll { max-height: 70vh; overflow: auto; border: 1px solid #ccc; }
        td.list { max-width: 40em; word-break: break-all; }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}
