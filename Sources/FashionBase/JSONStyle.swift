import Foundation

/// The one JSON style of every file the suite writes: snake_case keys (as its CSV headers and
/// pandas users expect), sorted, pretty-printed unless one record a line is wanted (JSON Lines).
/// Files are read back with keys in either snake_case or the camelCase of older versions.
public enum JSONStyle {
    /// An encoder of snake_case keys, sorted; `pretty` (indented) or one line.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A decoder for files written with ``encoder(pretty:)`` — and for older ones in camelCase
    /// (a key without underscores is taken as it is).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
