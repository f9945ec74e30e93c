/// The two splits of the K-Fashion set and their folder names.
public enum Split: String, CaseIterable, Codable, Sendable, Comparable {
    case training, validation

    /// `training_image` or `validation_image`.
    public var imageFolder: String { "\(rawValue)_image" }
    /// `training_label` or `validation_label`.
    public var labelFolder: String { "\(rawValue)_label" }

    public static func < (a: Split, b: Split) -> Bool { a == .training && b == .validation }
}

/// The gender part of a class (`W` women's, `M` men's), ordered women first as the seed's tables.
public enum Gender: String, CaseIterable, Codable, Sendable, Comparable {
    case women = "W", men = "M"

    public static func < (a: Gender, b: Gender) -> Bool { a == .women && b == .men }
}
