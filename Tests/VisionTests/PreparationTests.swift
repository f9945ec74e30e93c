import TestSupport
import Foundation
import Testing
@testable import Vision

@Suite struct MorphologyTests {
    func randomMask(_ w: Int, _ h: Int, seed: UInt64, density: Float = 0.5) -> ForegroundMask {
        var g = RandomGenerator(seed: seed)
        return ForegroundMask(width: w, height: h, bits: (0..<(w * h)).map { _ in g.uniform() < density ? 1 : 0 })
    }

    /// Naive square-window reference: dilation = any 1 within r; erosion = all 1 within r, outside = 0.
    func naive(_ m: ForegroundMask, r: Int, dilate: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: m.bits.count)
        for y in 0..<m.height {
            for x in 0..<m.width {
                var any = false, all = true
                for dy in -r...r {
                    for dx in -r...r {
                        let nx = x + dx, ny = y + dy
                        let v = nx >= 0 && ny >= 0 && nx < m.width && ny < m.height ? m.bits[ny * m.width + nx] : 0
                        if v == 1 { any = true } else { all = false }
                    }
                }
                out[y * m.width + x] = (dilate ? any : all) ? 1 : 0
            }
        }
        return out
    }

    @Test(arguments: [(1, 0.5 as Float), (2, 0.8 as Float), (3, 0.2 as Float), (6, 0.95 as Float)])
    func dilationAndErosionMatchNaiveLoops(_ r: Int, _ density: Float) {
        let m = randomMask(23, 17, seed: UInt64(r), density: density)
        #expect(m.dilated(radius: r).bits == naive(m, r: r, dilate: true))
        #expect(m.eroded(radius: r).bits == naive(m, r: r, dilate: false))
    }

    @Test func largestComponentAndHoles() throws {
        // A 3×3 ring with a hole (component of 8) and a separate 2-pixel blob.
        let rows = ["0000000",
                    "0111000",
                    "0101011",
                    "0111000",
                    "0000000"]
        let bits = rows.flatMap { $0.map { $0 == "1" ? UInt8(1) : 0 } }
        let m = ForegroundMask(width: 7, height: 5, bits: bits)
        let (component, box) = try #require(m.largestComponent())
        #expect(box == ForegroundMask.Box(x: 1, y: 1, width: 3, height: 3))
        #expect(component.bits.reduce(0) { $0 + Int($1) } == 8)
        let filled = component.holesFilled()
        #expect(filled.bits[2 * 7 + 2] == 1 && filled.bits.reduce(0) { $0 + Int($1) } == 9)
        #expect(ForegroundMask(width: 3, height: 3, filledWith: 0).largestComponent() == nil)
    }
}

@Suite struct BackgroundRemovalTests {
    /// A figure (dark rectangle with a round head) off-centre on a light backdrop with a gradient and grain.
    func photo(width: Int = 90, height: Int = 120) -> Image {
        var g = RandomGenerator(seed: 9)
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                var rgb: (Float, Float, Float) = (215 + Float(y) * 0.15, 210, 200)
                rgb.0 += g.uniform(-4, 4); rgb.1 += g.uniform(-4, 4); rgb.2 += g.uniform(-4, 4)
                let inBody = x >= 20 && x < 44 && y >= 40 && y < 105
                let dx = Float(x - 32), dy = Float(y - 30)
                if inBody { rgb = (60, 40, 120) }
                if dx * dx + dy * dy <= 81 { rgb = (190, 140, 110) }
                let i = (y * width + x) * 3
                px[i] = UInt8(min(max(rgb.0, 0), 255)); px[i + 1] = UInt8(min(max(rgb.1, 0), 255)); px[i + 2] = UInt8(min(max(rgb.2, 0), 255))
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: px)
    }

    @Test func findsTheFigureAndWhitensTheRest() throws {
        let image = photo()
        let (mask, box) = BackgroundRemover().foreground(of: image)
        let b = try #require(box)
        #expect(abs(b.x - 20) <= 1 && abs(b.y - 21) <= 1 && abs(b.x + b.width - 44) <= 1 && abs(b.y + b.height - 105) <= 1, "\(b)")
        let white = image.whitened(outside: mask)
        #expect(white.pixels[0] == 255 && white.pixels[(60 * 90 + 30) * 3] == 60)
        let share = white.whiteShare()
        let figure = Double(24 * 65 + 200) / Double(90 * 120)
        #expect(abs(share - (1 - figure)) < 0.03)
    }

    @Test func preparesASquareOfTheSubject() throws {
        let dir = TemporaryFolder.name("prep")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("W_00001_19_punk_W.jpg")
        try photo().write(to: url, jpegQuality: 95)
        let result = try PhotoPreparer(size: 32).prepare(contentsOf: url)
        #expect(result.image.width == 32 && result.image.height == 32)
        // The subject is taller than wide: white padding left and right, figure in the middle column.
        let left = Array(result.image.pixels[(16 * 32) * 3..<(16 * 32 + 1) * 3])
        let centre = Array(result.image.pixels[(20 * 32 + 16) * 3..<(20 * 32 + 17) * 3])
        #expect(left == [255, 255, 255])
        #expect(centre[0] < 120 && centre[2] > 80)
        // A photo already on white: the .alreadyWhite mode finds the same box.
        let (mask, _) = BackgroundRemover().foreground(of: photo())
        let cutOut = photo().whitened(outside: mask)
        let (_, whiteBox) = BackgroundRemover.foreground(ofWhiteBackground: cutOut)
        #expect(whiteBox != nil)
    }
}

@Suite struct StatisticsTests {
    @Test func quartilesInterpolateLikeNumPy() {
        // numpy.percentile([1, 2, 3, 4], [25, 75]) → 1.75, 3.25; IQR 1.5 → bounds −0.5 … 5.5.
        let rule = InterquartileRule(values: [4, 1, 3, 2])
        #expect(rule.q1 == 1.75 && rule.q3 == 3.25)
        #expect(rule.lower == -0.5 && rule.upper == 5.5)
        #expect(rule.flags(6) && !rule.flags(5))
        #expect(InterquartileRule.quantile([0, 10], 0.3) == 3)
    }

    @Test func channelStatisticsAreTorchsMeanAndUnbiasedStd() {
        // Grey values 0, 51, 102, 255 → /255: 0, 0.2, 0.4, 1. mean 0.4; unbiased var = (0.16+0.04+0+0.36)/3.
        let image = Image(width: 2, height: 2, channels: 1, pixels: [0, 51, 102, 255])
        let s = ChannelStatistics(of: image)
        #expect(abs(s.mean[0] - 0.4) < 1e-12)
        #expect(abs(s.std[0] - (0.56 / 3).squareRoot()) < 1e-12)
    }

    /// A grey photo first, then a colour one: every image counts in R, G and B as
    /// torchvision's `convert("RGB")` would see it (before, the second one trapped).
    @Test func greyAndColourPhotosMixAsRGB() {
        let grey = Image(width: 1, height: 2, channels: 1, pixels: [0, 255])
        let rgb = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 51])
        #expect(ChannelStatistics(of: grey).mean == [0.5, 0.5, 0.5])
        #expect(ChannelStatistics(of: rgb).mean == [1, 0, 0.2])
        var acc = NormalizationAccumulator()
        acc.add(grey); acc.add(rgb)
        #expect(acc.images == 2)
        let m = acc.meanOfImages.mean
        #expect(abs(m[0] - 0.75) < 1e-12 && abs(m[1] - 0.25) < 1e-12 && abs(m[2] - 0.35) < 1e-12)
        #expect(abs(acc.pooled.mean[1] - 1.0 / 3) < 1e-12)   // G: 0, 1 (grey) and 0 (rgb) over 3 pixels
    }

    @Test func accumulatorGivesTheSeedsMeanAndThePooledFigures() {
        let a = Image(width: 2, height: 1, channels: 1, pixels: [0, 255])
        let b = Image(width: 1, height: 1, channels: 1, pixels: [255])
        var acc = NormalizationAccumulator()
        acc.add(a); acc.add(b)
        #expect(abs(acc.meanOfImages.mean[0] - 0.75) < 1e-12)            // (0.5 + 1) / 2
        #expect(abs(acc.pooled.mean[0] - 2.0 / 3) < 1e-12)               // (0 + 1 + 1) / 3
        #expect(abs(acc.pooled.std[0] - (2.0 / 9).squareRoot()) < 1e-9)  // population std of 0, 1, 1
    }
}
