/// Everything the survey answers of a tree are joined through, in one call: the photos
/// (mission 1-1), the label files whose photo exists (2-1) and the answers kept by mission
/// 2-2's rules. What `fashion preferences`, `recommend` and `demo` start from.
///
/// ```swift
/// let join = try SurveyJoin(tree: KFashionTree(root: URL(fileURLWithPath: "data/kfashion")))
/// let report = PreferenceReport(table: join.preferences, top: 100)
/// ```
public struct SurveyJoin: Sendable {
    /// The photos of both splits (mission 1-1).
    public let images: ImageStatistics
    /// The label files joined with the photos (mission 2-1).
    public let labels: LabelStatistics
    /// The answers kept (mission 2-2), contradictions and skipped files with them.
    public let preferences: PreferenceTable

    /// Lists the tree's photos and labels, joins them, and keeps the answers.
    public init(tree: KFashionTree) throws {
        images = try ImageStatistics(tree: tree)
        labels = try LabelStatistics(tree: tree, images: images)
        preferences = PreferenceTable(tree: tree, labels: labels)
    }

    /// The canonical stems of every accepted photo (both splits).
    public var photoStems: Set<String> { Set((images.training + images.validation).map(\.key.canonicalStem)) }
}

extension LabelStatistics {
    /// Mission 2-1 from a tree alone: its photos listed first (``ImageStatistics``), then the join.
    public init(tree: KFashionTree) throws {
        try self.init(tree: tree, images: ImageStatistics(tree: tree))
    }
}
