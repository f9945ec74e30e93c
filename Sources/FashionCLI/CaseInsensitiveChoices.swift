import ArgumentParser

/// Choices are read without regard to case (`--format CSV`, `--optimizer SGD`), as their help
/// lists them in lower case; anything else is still an error listing the choices.
extension ExpressibleByArgument where Self: RawRepresentable, Self: CaseIterable, RawValue == String {
    public init?(argument: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue == argument })
                ?? Self.allCases.first(where: { $0.rawValue.lowercased() == argument.lowercased() }) else { return nil }
        self = match
    }
}
