import FashionBase
import Foundation

extension FewShotProtocol {
    /// The paper's own figures (FashionStyle14, ImageNet-pretrained ResNet-50), printed under every table.
    public static let paperFigures = """
    Paper (FashionStyle14, ImageNet-pretrained ResNet-50; acc_h / acc, %): n_f = 10 — oversampling ×30 12.83 / 54.53,
    VAE sampling ×30 31.34 / 58.52; n_f = 50 — oversampling ×30 58.44 / 65.50, VAE sampling ×30 66.01 / 68.20.

    """

    /// Writes a run's results into `folder`, each file atomically: `cells.json` (every cell),
    /// `table.json` (``Table``'s records, the tidy form) and `table.md` (the Markdown table
    /// headed by `title`, the paper's figures under it). Returns the Markdown.
    @discardableResult
    public static func writeResults(_ cells: [Cell], title: String, to folder: URL) throws -> String {
        let encoder = JSONStyle.encoder()
        try AtomicFile.write(encoder.encode(cells), to: folder.appendingPathComponent("cells.json"))
        try AtomicFile.write(encoder.encode(table(cells).records), to: folder.appendingPathComponent("table.json"))
        let md = "# \(title)\n\n" + markdown(cells) + "\n" + paperFigures
        try AtomicFile.write(Data(md.utf8), to: folder.appendingPathComponent("table.md"))
        return md
    }
}
