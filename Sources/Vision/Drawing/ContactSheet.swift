/// A grid of labelled images — sample predictions beside the picture, as the seed shows them.
public struct ContactSheet {
    /// One tile: the picture, up to two caption lines, and whether to frame it green or red.
    public struct Tile {
        public let image: Image
        public let captions: [String]
        public let correct: Bool?
        public init(image: Image, captions: [String], correct: Bool? = nil) {
            self.image = image; self.captions = captions; self.correct = correct
        }
    }

    /// Lays `tiles` out `columns` wide, each picture resized to `side`×`side` (antialiased) with
    /// a 3 px frame (green correct, red wrong, grey otherwise) and its captions below.
    public static func render(_ tiles: [Tile], columns: Int = 6, side: Int = 128) -> Image {
        let captionLines = tiles.map(\.captions.count).max() ?? 0
        let scale = side >= 160 ? 2 : 1
        // Wide enough for the longest caption and a gap of two characters.
        let cellW = max(side + 6, (tiles.flatMap(\.captions).map { BitmapFont.width(of: $0, scale: scale) }.max() ?? 0) + 12 * scale)
        let cellH = side + 6 + captionLines * 9 * scale + 6
        let cols = max(1, min(columns, tiles.count)), rows = (tiles.count + cols - 1) / cols
        var sheet = Image(width: cols * cellW, height: max(1, rows * cellH), channels: 3, filledWith: 255)
        for (n, tile) in tiles.enumerated() {
            let x0 = (n % cols) * cellW, y0 = (n / cols) * cellH
            let frame: (UInt8, UInt8, UInt8) = tile.correct.map { $0 ? (40, 160, 60) : (200, 40, 40) } ?? (150, 150, 150)
            for y in 0..<(side + 6) {
                for x in 0..<(side + 6) {
                    let i = ((y0 + y) * sheet.width + x0 + x) * 3
                    sheet.pixels[i] = frame.0; sheet.pixels[i + 1] = frame.1; sheet.pixels[i + 2] = frame.2
                }
            }
            var picture = PlanarImage(tile.image)
            if picture.channels == 1 { picture = PlanarImage(channels: 3, height: picture.height, width: picture.width, values: picture.values + picture.values + picture.values) }
            let small = picture.paddedToSquare(fill: 1).resized(height: side, width: side).image()
            for y in 0..<side {
                for x in 0..<side {
                    let s = (y * side + x) * 3, d = ((y0 + 3 + y) * sheet.width + x0 + 3 + x) * 3
                    sheet.pixels[d] = small.pixels[s]; sheet.pixels[d + 1] = small.pixels[s + 1]; sheet.pixels[d + 2] = small.pixels[s + 2]
                }
            }
            for (k, caption) in tile.captions.enumerated() {
                BitmapFont.draw(caption, into: &sheet, x: x0 + 3, y: y0 + side + 9 + k * 9 * scale, colour: (20, 20, 20), scale: scale)
            }
        }
        return sheet
    }
}
