/// The number of images (or labels) of one class in one split.
public struct StyleCount: Codable, Hashable, Sendable {
    /// `training`, `validation` or `combined`.
    public let split: String
    /// `W` or `M`.
    public let gender: String
    /// Canonical style (`hippie`, never `hippee`).
    public let style: String
    /// Photos or label files counted.
    public let count: Int

    /// One row.
    public init(split: String, gender: String, style: String, count: Int) {
        self.split = split; self.gender = gender; self.style = style; self.count = count
    }

    /// Counts by (gender, style) in the tables' documented order: women's classes first, then
    /// men's (as the seed), each gender's styles by ascending count, ties by style name.
    public static func counting<S: Sequence>(_ keys: S, split: String) -> [StyleCount] where S.Element == ImageKey {
        var counts: [ClassID: Int] = [:]
        for key in keys { counts[ClassID(gender: key.gender, style: key.style), default: 0] += 1 }
        return counts.sorted { a, b in
            if a.key.gender != b.key.gender { return a.key.gender < b.key.gender }
            if a.value != b.value { return a.value < b.value }
            return a.key.style < b.key.style
        }.map { StyleCount(split: split, gender: $0.key.gender.rawValue, style: $0.key.style, count: $0.value) }
    }
}

struct ClassID: Hashable {
    let gender: Gender
    let style: String
}
