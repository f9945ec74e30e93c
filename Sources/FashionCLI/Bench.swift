import ArgumentParser
import Foundation
import Models
import Recommender
import Tensor

/// `fashion bench …`: speed measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernels, training throughput and preference scoring.", subcommands: [Kernels.self, Step.self, Recommend.self, Features.self, Allreduce.self, DataParallelSteps.self, BFloat16GEMM.self])

    /// Prints `value` as one line of JSON with sorted keys.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONStyle.encoder(pretty: false)
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
