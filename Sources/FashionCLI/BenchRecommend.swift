import ArgumentParser
import Foundation
import Models
import Recommender
import Tensor

extension Bench {
    /// `fashion bench recommend`: missions 3-1/3-2's scoring on a large made-up answer set.
    struct Recommend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time every scoring method, leave-one-out choices and metrics over made-up answers (default 250,000) and 5,021 × 512 features; the learned method's cross-validation, fit and scoring on a set of its own.")

        @Option(help: "Answers in all (a fifth are validation answers).") var answers = 250_000
        @Option(help: "Photos (feature rows).") var photos = 5021
        @Option(help: "Feature dimension.") var dimension = 512
        @Option(help: "Answers of the learned method's set (a fifth are validation answers).") var learnedAnswers = 39_000
        @Option(help: "Pairs the fitted learned model scores.") var learnedScored = 62_500
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            guard answers >= 1, photos >= 1, dimension >= 1, learnedAnswers >= 1, learnedScored >= 1 else {
                throw ValidationError("--answers, --photos, --dimension, --learned-answers and --learned-scored ≥ 1")
            }
        }

        func run() throws {
            var bench = RecommenderBenchmark()
            bench.answers = answers; bench.photos = photos; bench.dimension = dimension
            bench.learnedAnswers = learnedAnswers; bench.learnedScored = learnedScored
            let r = try bench.run()
            if json {
                try Bench.printJSON(r)
            } else {
                print(String(format: "%d training + %d validation answers of %d respondents, %d photos × %d: every method, leave-one-out choices and metrics in %.3f s (the seed's item scores alone %.3f s); item AUC %.3f; %d threads",
                             r.training_answers, r.validation_answers, r.respondents, r.photos, r.dimension, r.seconds,
                             r.item_validation_seconds, r.item_auc ?? .nan, r.threads))
                print(String(format: "learned: %d training answers, %d candidates × %d folds and the final fit in %.2f s; %d pairs scored in %.4f s; AUC %.3f",
                             r.learned_training_answers, r.learned_candidates, r.learned_folds, r.learned_fit_seconds,
                             r.learned_scored, r.learned_scoring_seconds, r.learned_auc))
            }
        }
    }
}
