/// The one table of style spellings: every name the real set uses for a style → its canonical name.
///
/// The real K-Fashion set spells *hippie* as `hippee` in places (`T_21988_70_hippee_M.jpg`);
/// both spellings denote the same class. Add a spelling here and every parser follows.
public enum StyleAliases {
    /// Alternative spelling → canonical style.
    public static let table: [String: String] = [
        "hippee": "hippie",
    ]

    /// The canonical spelling of `style` (lower-cased; aliases resolved).
    public static func canonical(_ style: String) -> String {
        let lower = style.utf8.contains { $0 >= 0x41 && $0 <= 0x5A } ? style.lowercased() : style
        return table[lower] ?? lower
    }
}
