import ArgumentParser
import Foundation
import Recommender

/// A comma-separated list of positive integers (`--nf 5,10,30,50`, `--ratios 30,50`), checked
/// when the command line is parsed.
struct PositiveIntegers: ExpressibleByArgument, Equatable {
    let values: [Int]
    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        guard !parts.isEmpty, numbers.count == parts.count else { return nil }
        values = numbers
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// `--method` of `recommend`: one of the library's methods, or all of them.
enum MethodSelection: ExpressibleByArgument, Equatable {
    case all
    case one(PreferenceEvaluation.Method)

    init?(argument: String) {
        if argument.lowercased() == "all" { self = .all; return }
        guard let method = PreferenceEvaluation.Method(argument: argument) else { return nil }
        self = .one(method)
    }

    var methods: [PreferenceEvaluation.Method] {
        switch self {
        case .all: return PreferenceEvaluation.Method.allCases
        case .one(let m): return [m]
        }
    }

    static var allValueStrings: [String] { PreferenceEvaluation.Method.allCases.map(\.rawValue) + ["all"] }
    var defaultValueDescription: String {
        switch self {
        case .all: return "all"
        case .one(let m): return m.rawValue
        }
    }
}

/// `--method item|item-centroid|user|hybrid` (in any case).
extension PreferenceEvaluation.Method: ExpressibleByArgument {}

/// `--background` of `prepare`: `flood`, `white`, or a folder of PNG masks.
enum BackgroundChoice: ExpressibleByArgument, Equatable {
    case flood, white
    case masks(String)

    init?(argument: String) {
        switch argument.lowercased() {
        case "flood": self = .flood
        case "white": self = .white
        default: self = .masks(argument)
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .flood: return "flood"
        case .white: return "white"
        case .masks(let folder): return folder
        }
    }
}
