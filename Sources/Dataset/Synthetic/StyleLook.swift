import FashionBase

/// The visual signature of a class in generated photos: garment colours, pattern,
/// silhouette. Derived from the class name alone (a fixed hash), so every generated set
/// shows the same style the same way, and a classifier has real signal to learn.
struct StyleLook {
    enum Pattern: Int, CaseIterable { case solid, horizontalStripes, verticalStripes, dots, checks }
    enum Bottom: Int { case trousers, skirt, shorts }

    let top: RGB, topSecond: RGB, bottom: RGB
    let pattern: Pattern
    /// Torso length as a share of the figure's height (0.30 cropped … 0.55 coat or dress).
    let topLength: Float
    /// Shoulder width factor (0.85 slim … 1.35 oversized).
    let fit: Float
    let bottomKind: Bottom
    let hatProbability: Float
    let bagProbability: Float

    /// Palette the looks draw from: saturated, pastel, dark and neutral tones.
    static let palette: [RGB] = [
        RGB(200, 30, 40), RGB(30, 60, 160), RGB(20, 120, 60), RGB(240, 200, 40), RGB(120, 40, 140),
        RGB(250, 130, 30), RGB(20, 20, 25), RGB(240, 240, 235), RGB(130, 90, 60), RGB(90, 100, 60),
        RGB(250, 170, 190), RGB(140, 200, 230), RGB(180, 180, 185), RGB(0, 150, 150), RGB(110, 20, 30),
        RGB(60, 60, 70), RGB(220, 200, 160), RGB(70, 40, 20),
    ]

    init(className: String) {
        // FNV-1a of the name seeds a private generator: stable across runs, seeds and machines.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in className.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        var g = RandomGenerator(seed: h)
        let p = Self.palette
        top = p[g.int(below: p.count)]
        topSecond = p[g.int(below: p.count)]
        bottom = p[g.int(below: p.count)]
        pattern = Pattern.allCases[g.int(below: Pattern.allCases.count)]
        topLength = g.uniform(0.30, 0.55)
        fit = g.uniform(0.85, 1.35)
        let women = className.hasSuffix("_W")
        let roll = g.uniform()
        bottomKind = women ? (roll < 0.45 ? .skirt : roll < 0.6 ? .shorts : .trousers) : (roll < 0.2 ? .shorts : .trousers)
        hatProbability = g.uniform() < 0.3 ? 0.7 : 0.05
        bagProbability = g.uniform(0, 0.8)
    }
}
