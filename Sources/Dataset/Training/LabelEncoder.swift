/// Class names ↔ indices, in sorted order — scikit-learn's `LabelEncoder` (`classes_` sorted).
public struct LabelEncoder: Codable, Hashable, Sendable {
    /// The classes, sorted; a class's index is its position.
    public let classes: [String]
    private let index: [String: Int]

    /// The encoder of the distinct names in `names`.
    public init<S: Sequence>(fitting names: S) where S.Element == String {
        classes = Array(Set(names)).sorted()
        index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    }

    /// The index of `name`, or `nil` for a class never seen when fitting.
    public func encode(_ name: String) -> Int? { index[name] }

    /// The name of class `i`.
    public func decode(_ i: Int) -> String { classes[i] }

    /// Classes known.
    public var count: Int { classes.count }

    enum CodingKeys: String, CodingKey { case classes }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(fitting: try c.decode([String].self, forKey: .classes))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(classes, forKey: .classes)
    }
}
