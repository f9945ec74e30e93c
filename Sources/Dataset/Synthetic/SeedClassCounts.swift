/// The real K-Fashion set's images per class, as the seed's mission 1-1 reports them
/// (MISSION.md): 4,070 training and 951 validation photos in 31 style×gender classes.
/// The generator reproduces these exactly at scale 1.
public enum SeedClassCounts {
    /// Training images per class name (`{style}_{gender}`).
    public static let training: [String: Int] = [
        "grunge_W": 31, "military_W": 33, "disco_W": 37, "space_W": 37, "popart_W": 41, "lounge_W": 45,
        "hiphop_W": 48, "lingerie_W": 55, "ecology_W": 64, "punk_W": 65, "cityglam_W": 67, "athleisure_W": 67,
        "classic_W": 77, "genderless_W": 77, "oriental_W": 78, "hippie_W": 91, "kitsch_W": 91,
        "bodyconscious_W": 95, "powersuit_W": 120, "minimal_W": 139, "normcore_W": 153, "feminine_W": 154,
        "sportivecasual_W": 157,
        "ivy_M": 237, "hippie_M": 260, "bold_M": 268, "mods_M": 269, "hiphop_M": 274, "metrosexual_M": 278,
        "sportivecasual_M": 298, "normcore_M": 364,
    ]

    /// Validation images per class name.
    public static let validation: [String: Int] = [
        "lingerie_W": 5, "popart_W": 8, "hiphop_W": 8, "lounge_W": 8, "military_W": 9, "disco_W": 10,
        "grunge_W": 10, "genderless_W": 12, "punk_W": 12, "hippie_W": 14, "athleisure_W": 14, "space_W": 15,
        "ecology_W": 17, "cityglam_W": 18, "oriental_W": 18, "normcore_W": 20, "classic_W": 22, "kitsch_W": 22,
        "bodyconscious_W": 23, "powersuit_W": 34, "minimal_W": 35, "feminine_W": 44, "sportivecasual_W": 48,
        "normcore_M": 51, "sportivecasual_M": 52, "bold_M": 57, "metrosexual_M": 58, "hiphop_M": 66,
        "ivy_M": 79, "mods_M": 80, "hippie_M": 82,
    ]

    /// Counts of `split`.
    public static func counts(_ split: Split) -> [String: Int] { split == .training ? training : validation }
}
