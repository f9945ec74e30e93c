import Testing
@testable import Vision

@Suite struct ContactSheetTests {
    @Test func framesPicturesAndWritesCaptions() {
        let grey = Image(width: 10, height: 20, channels: 1, filledWith: 0)
        let colour = Image(width: 30, height: 30, channels: 3, filledWith: 100)
        let sheet = ContactSheet.render([ContactSheet.Tile(image: grey, captions: ["T ivy_M", "P ivy_M"], correct: true),
                                         ContactSheet.Tile(image: colour, captions: ["T punk_W", "P ivy_M"], correct: false)],
                                        columns: 2, side: 32)
        let cellW = max(38, BitmapFont.width(of: "T punk_W") + 12)
        #expect(sheet.width == 2 * cellW && sheet.height == 38 + 18 + 6)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(sheet.pixels[((y * sheet.width + x) * 3)..<((y * sheet.width + x) * 3 + 3)]) }
        #expect(pixel(1, 1) == [40, 160, 60])            // green frame: correct
        #expect(pixel(cellW + 1, 1) == [200, 40, 40])    // red frame: wrong
        #expect(pixel(3 + 16, 3 + 16) == [0, 0, 0])      // the grey picture, padded white left and right
        #expect(pixel(3, 3 + 16) == [255, 255, 255])
        // Caption pixels are dark, below the picture.
        let captionRows = (41..<55).flatMap { y in (0..<cellW).map { pixel($0, y) } }
        #expect(captionRows.contains([20, 20, 20]))
    }

    @Test func fontWidthsAndClipping() {
        #expect(BitmapFont.width(of: "AB") == 11 && BitmapFont.width(of: "AB", scale: 2) == 22 && BitmapFont.width(of: "") == 0)
        var tiny = Image(width: 3, height: 3, channels: 3, filledWith: 255)
        BitmapFont.draw("W%?", into: &tiny, x: -2, y: -2, colour: (0, 0, 0))   // clipped, unknown glyph boxed: no crash
        #expect(tiny.pixels.contains(0))
    }
}
