import ArgumentParser

/// `fashion`: fashion-style recognition and style-preference prediction, step by step.
@main
struct Fashion: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion",
        abstract: "Fashion-style recognition and style-preference prediction on the K-Fashion layout.",
        subcommands: [Synth.self, Stats.self, Labels.self, Preferences.self, Prepare.self, Train.self, Evaluate.self, TrainMNIST.self, Predict.self, Features.self, Recommend.self, FewShot.self, Bench.self, Demo.self])
}
