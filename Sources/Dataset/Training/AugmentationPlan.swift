/// How many augmented copies each class gets to approach a target size (mission 1-2, step 4).
///
/// For a class of n images the multiplier is round((target − n) / n) (half away from zero,
/// as Python's `round` differs only at exact halves — see ``multiplier(count:target:)``), and
/// each original gets that many augmented copies, so the class ends with n · (1 + multiplier).
/// With the seed's target 2,000: military_W 33 → ×60 → 2,013; normcore_M 364 → ×4 → 1,820;
/// 4,070 training images → 61,582.
public struct AugmentationPlan: Codable, Hashable, Sendable {
    /// One class's row of the plan.
    public struct Entry: Codable, Hashable, Sendable {
        /// `style_gender`.
        public let className: String
        /// Training photos of the class.
        public let originals: Int
        /// Augmented copies per original.
        public let multiplier: Int
        /// originals · (1 + multiplier).
        public var total: Int { originals * (1 + multiplier) }
    }

    /// Items an epoch after augmentation.
    public let target: Int
    /// One entry per class, sorted by class name.
    public let entries: [Entry]

    /// The plan for `counts` (class name → images) towards `target` images a class.
    public init(counts: [String: Int], target: Int = 2000) {
        self.target = target
        entries = counts.sorted { $0.key < $1.key }.map { name, n in
            return Entry(className: name, originals: n, multiplier: Self.multiplier(count: n, target: target))
        }
    }

    /// round((target − n) / n), never negative (a class already above target is not augmented).
    ///
    /// Python 3's `round` rounds exact halves to even; the seed's notebook used it, so this does too.
    public static func multiplier(count n: Int, target: Int) -> Int {
        guard n > 0, target > n else { return 0 }
        let q = Double(target - n) / Double(n)
        return max(0, Int(q.rounded(.toNearestOrEven)))
    }

    /// Images per epoch after augmentation.
    public var total: Int { entries.reduce(0) { $0 + $1.total } }

    /// The multiplier of a class (0 for an unknown class).
    public func multiplier(of className: String) -> Int {
        entries.first { $0.className == className }?.multiplier ?? 0
    }
}
