import FashionBase
import Vision

/// Draws one generated street photo: a standing figure off-centre on a fairly plain backdrop
/// (light tint, vertical gradient, grain, a floor band), dressed in its class's look with
/// per-photo variation. Also returns the visual attributes respondents' tastes react to.
enum FigureRenderer {
    /// What a photo shows, in numbers a taste model can weigh (each roughly in −1…1).
    struct Attributes {
        /// Top garment brightness (−1 dark … 1 light).
        var brightness: Float
        /// 1 patterned, −1 plain.
        var patterned: Float
        /// Silhouette (−1 slim … 1 oversized).
        var looseness: Float
        /// 1 with a hat, −1 without.
        var hat: Float
        var vector: [Float] { [brightness, patterned, looseness, hat] }
    }

    static func render(look: StyleLook, women: Bool, width: Int, height: Int, rng: inout RandomGenerator) -> (Image, Attributes) {
        var canvas = Canvas(width: width, height: height)
        let W = Float(width), H = Float(height)

        // Backdrop: a light tinted wall with a gradient and grain, a slightly darker floor.
        let wall = RGB(rng.uniform(195, 240), rng.uniform(195, 240), rng.uniform(190, 240))
        let floorY = H * rng.uniform(0.80, 0.90)
        let floor = wall.scaled(rng.uniform(0.80, 0.92))
        let gradient = rng.uniform(-18, 18)
        for y in 0..<height {
            for x in 0..<width {
                let base = Float(y) < floorY ? wall : floor
                let shade = gradient * (Float(y) / H - 0.5) + rng.uniform(-5, 5)
                canvas.set(x, y, RGB(base.r + shade, base.g + shade, base.b + shade))
            }
        }

        // Garment colours: the class's, jittered; sometimes swapped for a random palette colour.
        func jitter(_ c: RGB) -> RGB { RGB(c.r + rng.uniform(-22, 22), c.g + rng.uniform(-22, 22), c.b + rng.uniform(-22, 22)) }
        let p = StyleLook.palette
        let topColour = jitter(rng.uniform() < 0.2 ? p[rng.int(below: p.count)] : look.top)
        let second = jitter(look.topSecond)
        let bottomColour = jitter(rng.uniform() < 0.2 ? p[rng.int(below: p.count)] : look.bottom)
        let pattern = rng.uniform() < 0.15 ? StyleLook.Pattern.allCases[rng.int(below: 5)] : look.pattern
        let skin = RGB(110, 70, 50).mixed(with: RGB(245, 205, 175), rng.uniform(0.2, 1))
        let hair = p[[6, 8, 17, 3, 15][rng.int(below: 5)]]

        // Figure geometry: height, feet, an off-centre position.
        let fh = H * rng.uniform(0.62, 0.80)
        let feet = min(H - 2, floorY + H * rng.uniform(0.0, 0.06))
        let top = feet - fh
        let cx = W * (rng.uniform() < 0.5 ? rng.uniform(0.28, 0.42) : rng.uniform(0.58, 0.72))
        let fit = look.fit * rng.uniform(0.93, 1.07)
        let shoulder = fh * (women ? 0.11 : 0.135) * fit
        let headR = fh * 0.065
        let neckY = top + 2 * headR
        let waistY = neckY + fh * look.topLength * rng.uniform(0.92, 1.08)
        let hipY = neckY + fh * 0.40

        let stripe = max(2, Int(fh / 22))
        let topPaint: (Int, Int) -> RGB = { x, y in
            switch pattern {
            case .solid: return topColour
            case .horizontalStripes: return (y / stripe) % 2 == 0 ? topColour : second
            case .verticalStripes: return (x / stripe) % 2 == 0 ? topColour : second
            case .checks: return ((x / stripe) + (y / stripe)) % 2 == 0 ? topColour : second
            case .dots:
                let dx = x % (2 * stripe) - stripe, dy = y % (2 * stripe) - stripe
                return dx * dx + dy * dy <= stripe * stripe / 3 ? second : topColour
            }
        }

        // Legs and bottom garment, shoes.
        let legHalf = shoulder * 0.36
        let legGap = shoulder * 0.08
        let legTop = max(hipY, waistY - fh * 0.02)
        let shoeH = fh * 0.035
        for side: Float in [-1, 1] {
            let lx = cx + side * (legGap + legHalf)
            canvas.fillRect(lx - legHalf * 0.8, legTop, lx + legHalf * 0.8, feet - shoeH) { _, _ in skin }
            canvas.fillRect(lx - legHalf, feet - shoeH, lx + legHalf * 1.3, feet) { _, _ in RGB(35, 30, 30) }
        }
        switch look.bottomKind {
        case .trousers:
            for side: Float in [-1, 1] {
                let lx = cx + side * (legGap + legHalf)
                canvas.fillRect(lx - legHalf, hipY - fh * 0.04, lx + legHalf, feet - shoeH) { _, _ in bottomColour }
            }
        case .shorts:
            canvas.fillRect(cx - shoulder * 0.95, hipY - fh * 0.04, cx + shoulder * 0.95, hipY + fh * 0.14) { _, _ in bottomColour }
        case .skirt:
            canvas.fillTrapezoid(cx: cx, y0: hipY - fh * 0.04, y1: hipY + fh * rng.uniform(0.16, 0.34),
                                 topHalf: shoulder * 0.9, bottomHalf: shoulder * 1.4) { _, _ in bottomColour }
        }

        // Arms (sleeves in the top's colour), torso, neck, head, hair.
        let armW = shoulder * 0.32
        for side: Float in [-1, 1] {
            let ax = cx + side * (shoulder + armW * 0.5)
            canvas.fillRect(ax - armW / 2, neckY + fh * 0.02, ax + armW / 2, neckY + fh * 0.30, topPaint)
            canvas.fillRect(ax - armW / 2.5, neckY + fh * 0.30, ax + armW / 2.5, neckY + fh * 0.38) { _, _ in skin }
        }
        canvas.fillTrapezoid(cx: cx, y0: neckY, y1: waistY, topHalf: shoulder, bottomHalf: shoulder * (women ? 0.85 : 0.95) * fit, topPaint)
        canvas.fillRect(cx - headR * 0.4, neckY - headR * 0.4, cx + headR * 0.4, neckY + 1) { _, _ in skin }
        canvas.fillEllipse(cx: cx, cy: top + headR, rx: headR * (women ? 1.05 : 0.95), ry: headR * 1.25) { _, _ in hair }
        canvas.fillEllipse(cx: cx, cy: top + headR * 1.15, rx: headR * 0.82, ry: headR * 1.0) { _, _ in skin }

        // Accessories.
        let hat = rng.uniform() < look.hatProbability
        if hat {
            canvas.fillRect(cx - headR * 1.5, top - headR * 0.1, cx + headR * 1.5, top + headR * 0.35) { _, _ in second }
            canvas.fillRect(cx - headR * 0.9, top - headR * 0.9, cx + headR * 0.9, top + headR * 0.2) { _, _ in second }
        }
        if rng.uniform() < look.bagProbability {
            let bx = cx + (rng.uniform() < 0.5 ? -1 : 1) * (shoulder + armW * 1.2)
            canvas.fillRect(bx - shoulder * 0.3, neckY + fh * 0.28, bx + shoulder * 0.3, neckY + fh * 0.42) { _, _ in jitter(p[8]) }
        }

        let luminance = (0.299 * topColour.r + 0.587 * topColour.g + 0.114 * topColour.b) / 255
        let attributes = Attributes(brightness: luminance * 2 - 1, patterned: pattern == .solid ? -1 : 1,
                                    looseness: (fit - 1.1) / 0.25, hat: hat ? 1 : -1)
        return (canvas.image(), attributes)
    }
}
