import ArgumentParser
import Foundation
import Models
import Recommender
import Tensor

extension Bench {
    /// `fashion bench recommend`: missions 3-1/3-2's scoring on a large made-up answer set.
    struct Recommend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time every scoring method, leave-one-out choices and metrics over made-up answers (default 250,000) and 5,021 × 512 features.")

        @Option(help: "Answers in all (a fifth are validation answers).") var answers = 250_000
        @Option(help: "Photos (feature rows).") var photos = 5021
        @Option(help: "Feature dimension.") var dimension = 512
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard answers >= 1, photos >= 1, dimension >= 1 else { throw ValidationError("--answers, --photos and --dimension ≥ 1") }
        }

        func run() throws {
            var bench = RecommenderBenchmark()
            bench.answers = answers; bench.photos = photos; bench.dimension = dimension
            let r = try bench.run()
            if json {
                try Bench.printJSON(r)
            } else {
                print(String(format: "%d training + %d validation answers of %d respondents, %d photos × %d: every method, leave-one-out choices and metrics in %.3f s (the seed's item scores alone %.3f s); item AUC %.3f; %d threads",
                             r.training_answers, r.validation_answers, r.respondents, r.photos, r.dimension, r.seconds,
                             r.item_validation_seconds, r.item_auc ?? .nan, r.threads))
            }
        }
    }
}
