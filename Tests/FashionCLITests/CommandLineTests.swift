import TestSupport
import ArgumentParser
import Dataset
import Foundation
import Models
import Tensor
import Testing
@testable import FashionCLI

/// What the command line does with a user's words before any work starts.
@Suite struct CommandLineTests {
    @Test func aTypoedCommandGetsASuggestion() throws {
        #expect(try #require(Fashion.unknownSubcommand("trian")).contains("did you mean 'train'?"))
        #expect(try #require(Fashion.unknownSubcommand("predcit")).contains("'predict'"))
        #expect(try #require(Fashion.unknownSubcommand("Evaluate")).contains("'evaluate'"))
        let far = try #require(Fashion.unknownSubcommand("zzzzzzzz"))
        #expect(far.contains("commands: synth, stats") && !far.contains("did you mean"))
        for fine in ["train", "train-mnist", "--help", "-h", "help", nil] as [String?] {
            #expect(Fashion.unknownSubcommand(fine) == nil)
        }
        let bench = try #require(Fashion.unknownSubcommand("kernel", among: Bench.configuration.subcommands, command: "fashion bench"))
        #expect(bench.contains("'kernel' is not a fashion bench command; did you mean 'kernels'?"))
        #expect(Fashion.unknownSubcommand("kernels", among: Bench.configuration.subcommands, command: "fashion bench") == nil)
        #expect(Fashion.editDistance("trian", "train") == 1)
        #expect(Fashion.editDistance("", "abc") == 3 && Fashion.editDistance("kitten", "sitting") == 3)
    }

    /// `fashion demo` runs other commands through their own parsers: every line parses, and
    /// each step reads what the one before wrote.
    @Test func theDemosCommandLinesParseAndChain() throws {
        let steps = try Demo.parse(["--out", "/tmp/demo-x", "--train-images", "500", "--kfashion-target", "20"]).steps()
        #expect(steps.train.out == "/tmp/demo-x/runs/kfashion" && steps.train.target == 20 && steps.train.restart)
        #expect(steps.train.prepared == "/tmp/demo-x/prepared" && steps.recommend.prepared == steps.train.prepared)
        #expect(steps.recommend.checkpoint == steps.train.out + "/best.safetensors" && steps.recommend.autoencoder)
        #expect(steps.mnist.limit == 500 && steps.mnist.epochs == 1)
        #expect(steps.fewshot.quick && steps.fewshot.draws == 1 && steps.fewshot.out == "/tmp/demo-x/runs/fewshot")
        // The quick setting's defaults give way to flags.
        let quick = try FewShot.parse(["--quick"]), custom = try FewShot.parse(["--quick", "--draws", "3", "--nf", "5", "--backbone-epochs", "1"])
        #expect(quick.draws == nil && custom.draws == 3 && custom.nf == PositiveIntegers([5]) && custom.backboneEpochs == 1)
        #expect(steps.report.runs == "/tmp/demo-x")
        #expect(throws: (any Error).self) { _ = try Demo.parse(["--fewshot-draws", "0"]) }
    }

    @Test func choicesAreCheckedNotGuessed() {
        for bad in [["--preset", "fast"], ["--initialization", "kaiming"], ["--optimizer", "adamw"], ["--schedule", "linear"],
                    ["--conv-algorithm", "fft"], ["--threads", "0"], ["--label-smoothing", "1.5"]] {
            #expect(throws: (any Error).self, "\(bad)") { _ = try Train.parse(bad) }
        }
        #expect(throws: (any Error).self) { _ = try Predict.parse(["--checkpoint", "c", "--format", "html", "x.jpg"]) }
        #expect(throws: (any Error).self) { _ = try TrainMNIST.parse(["--stem", "imagenet"]) }
    }

    /// `--precision` on every command that runs the network: fp32 always parses, bf16 exactly
    /// where the CPU has AVX512_BF16 (elsewhere it is refused at parse, saying why), anything else never.
    @Test func precisionIsOfferedAndCheckedAgainstTheCPU() {
        let commands: [(any ParsableCommand.Type, [String])] = [
            (Train.self, []), (TrainMNIST.self, []), (Features.self, ["--checkpoint", "c"]), (Evaluate.self, ["--checkpoint", "c"]),
            (Predict.self, ["--checkpoint", "c", "x.jpg"]), (Bench.Step.self, []), (Bench.Kernels.self, []),
        ]
        for (command, arguments) in commands {
            #expect(throws: Never.self, "\(command)") { _ = try command.parseAsRoot(arguments + ["--precision", "fp32"]) }
            #expect(throws: (any Error).self, "\(command)") { _ = try command.parseAsRoot(arguments + ["--precision", "fp16"]) }
            do {
                _ = try command.parseAsRoot(arguments + ["--precision", "bf16"])
                #expect(BFloat16.hardware, "\(command) took bf16 on a CPU without AVX512_BF16")
            } catch {
                #expect(!BFloat16.hardware, "\(command) refused bf16 on a CPU with AVX512_BF16")
                #expect(command.message(for: error).contains("AVX512_BF16"))
            }
        }
    }

    /// Numbers no run can use are refused when the command line is parsed, before any work —
    /// each of these used to stop the process (a division by zero, a failed precondition), to
    /// run on nothing, or to fail after training (`fewshot --test-limit 0`).
    @Test func numbersOutOfRangeAreRefusedAtParse() {
        let bad: [(any ParsableCommand.Type, [String])] = [
            (TrainMNIST.self, ["--batch-size", "0"]), (TrainMNIST.self, ["--limit", "0"]), (TrainMNIST.self, ["--epochs", "0"]),
            (TrainMNIST.self, ["--epochs-this-run", "0"]), (TrainMNIST.self, ["--crop-padding", "-1"]), (TrainMNIST.self, ["--samples", "-1"]),
            (TrainMNIST.self, ["--random-erasing", "1.5"]), (TrainMNIST.self, ["--random-erasing", "nan"]), (TrainMNIST.self, ["--validation", "60000"]),
            (TrainMNIST.self, ["--validation", "-1"]), (TrainMNIST.self, ["--ema", "1"]), (TrainMNIST.self, ["--ema", "0"]),
            (TrainMNIST.self, ["--norm-bias-weight-decay", "-1"]), (TrainMNIST.self, ["--norm-bias-lr-scale", "inf"]),
            (TrainMNIST.self, ["--lookahead", "0"]), (TrainMNIST.self, ["--lookahead", "5", "--lookahead-alpha", "0"]),
            (TrainMNIST.self, ["--lookahead", "5", "--lookahead-alpha", "nan"]), (TrainMNIST.self, ["--lookahead-alpha", "0.5"]),
            (TrainMNIST.self, ["--padding-mode", "reflect", "--crop-padding", "28"]), (TrainMNIST.self, ["--padding-mode", "wrap"]),
            (Train.self, ["--epochs-this-run", "0"]), (Train.self, ["--samples", "-2"]), (Evaluate.self, ["--checkpoint", "c", "--samples", "-1"]),
            (Features.self, ["--checkpoint", "c", "--batch-size", "0"]),
            (FewShot.self, ["--test-limit", "0"]), (FewShot.self, ["--majority-per-class", "0"]), (FewShot.self, ["--lr", "0"]),
            (FewShot.self, ["--lr", "nan"]), (FewShot.self, ["--monitor-limit", "-1"]), (FewShot.self, ["--vae-epochs", "-1"]),
            (FewShot.self, ["--image-size", "0"]), (FewShot.self, ["--nf", "10,,50"]), (FewShot.self, ["--ratios", "30,-1"]),
            (FewShot.self, ["--batch-size", "0"]),
            (Bench.Features.self, ["--batch", "0"]), (Bench.Features.self, ["--batches", "0"]), (Bench.Features.self, ["--size", "0"]),
            (Bench.Recommend.self, ["--photos", "0"]), (Bench.Recommend.self, ["--answers", "0"]),
            (Bench.Kernels.self, ["--train-batch", "0"]), (Bench.Kernels.self, ["--steps", "0"]), (Bench.Kernels.self, ["--threads", "0"]),
            (Bench.Kernels.self, ["--only", "layer9"]), (Bench.Step.self, ["--threads", "0"]),
        ]
        for (command, arguments) in bad {
            #expect(throws: (any Error).self, "\(command) \(arguments)") { _ = try command.parseAsRoot(arguments) }
        }
        // The same commands with usable numbers parse.
        let good: [(any ParsableCommand.Type, [String])] = [
            (TrainMNIST.self, ["--batch-size", "1", "--limit", "1", "--crop-padding", "0", "--samples", "0"]),
            (FewShot.self, ["--quick", "--test-limit", "1", "--monitor-limit", "0", "--vae-epochs", "0", "--nf", "10, 50"]),
            (Bench.Features.self, ["--batch", "1", "--batches", "1", "--size", "8"]), (Bench.Kernels.self, ["--only", "downsample"]),
        ]
        for (command, arguments) in good {
            #expect(throws: Never.self, "\(command) \(arguments)") { _ = try command.parseAsRoot(arguments) }
        }
    }

    /// `train`'s defaults are the camp's (Adam, 1e-3, no decay, constant); `train-mnist`'s are
    /// its documented recipe; a flag overrides either.
    @Test func optimiserDefaultsPerCommand() throws {
        let train = try Train.parse([]).optimizerOptions.resolved(Train.defaults, epochs: 6)
        #expect(train.optimizer == .adam(weightDecay: 0) && train.lr == 1e-3 && train.schedule == .constant)
        let mnist = try TrainMNIST.parse([]).optimizerOptions.resolved(TrainMNIST.defaults, epochs: 5)
        #expect(mnist.optimizer == .adam(weightDecay: 5e-4) && mnist.lr == 2e-3 && mnist.schedule == .cosine(epochs: 5, minimum: 0))
        let sgd = try Train.parse(["--optimizer", "sgd", "--lr", "0.05", "--schedule", "onecycle", "--weight-decay", "1e-4"])
            .optimizerOptions.resolved(Train.defaults, epochs: 10)
        #expect(sgd.optimizer == .sgd(momentum: 0.9, weightDecay: 1e-4, nesterov: true) && sgd.lr == 0.05)
        #expect(sgd.schedule == .oneCycle(epochs: 10, warmup: 0.3, div: 25, finalDiv: 1e4))
    }

    /// `--recipe hour` configures the run as ``FashionMNISTRecipe/apply(to:)`` does; a flag given
    /// with it overrides that setting only, and the schedule follows the epochs given.
    @Test func recipeSetsTheRunAndFlagsOverrideIt() throws {
        let recipe = FashionMNISTRecipe.hour
        var expected = FashionMNISTTrainingRun(folder: URL(fileURLWithPath: "r"))
        recipe.apply(to: &expected)
        let run = try TrainMNIST.parse(["--recipe", "hour", "--out", "r"]).configuredRun()
        #expect(run.epochs == expected.epochs && run.learningRate == expected.learningRate)
        #expect(run.optimizer == expected.optimizer && run.schedule == expected.schedule)
        #expect(run.labelSmoothing == expected.labelSmoothing && run.cropPadding == expected.cropPadding)
        #expect(run.validation == expected.validation && run.vectorWeightDecay == expected.vectorWeightDecay)
        #expect(run.erasing == expected.erasing && run.averageDecay == nil && !run.testTimeFlip && !run.testTimeShifts && run.stem == .compact)
        #expect(run.optimizer == .sgd(momentum: 0.9, weightDecay: 5e-4, nesterov: true) && run.validation == 5000)

        let changed = try TrainMNIST.parse(["--recipe", "HOUR", "--epochs", "3", "--label-smoothing", "0", "--validation", "0",
                                            "--crop-padding", "0", "--lr", "0.2", "--ema", "0.99", "--tta", "--tta-shifts"]).configuredRun()
        #expect(changed.epochs == 3 && changed.schedule == .oneCycle(epochs: 3, warmup: 0.25, div: 25, finalDiv: 1e4))
        #expect(changed.labelSmoothing == 0 && changed.validation == 0 && changed.cropPadding == 0 && changed.learningRate == 0.2)
        #expect(changed.averageDecay == 0.99 && changed.testTimeFlip && changed.testTimeShifts && changed.vectorWeightDecay == 0)
        #expect(changed.lookahead == nil)
        let lookahead = try TrainMNIST.parse(["--recipe", "hour", "--lookahead", "5"]).configuredRun().lookahead
        #expect(lookahead == .init(steps: 5, alpha: 0.5))
        #expect(try TrainMNIST.parse(["--lookahead", "6", "--lookahead-alpha", "0.8"]).configuredRun().lookahead == .init(steps: 6, alpha: 0.8))
        // The stem is the recipe's unless --stem names one.
        #expect(try TrainMNIST.parse(["--recipe", "hour", "--stem", "small"]).configuredRun().stem == .small)
        var smallRecipe = recipe; smallRecipe.stem = .small
        var smallRun = FashionMNISTTrainingRun(folder: URL(fileURLWithPath: "r")); smallRecipe.apply(to: &smallRun)
        #expect(smallRun.stem == .small && recipe.stem == .compact)

        // Without a recipe the command's own defaults stay as they were.
        let plain = try TrainMNIST.parse([]).configuredRun()
        #expect(plain.epochs == 5 && plain.cropPadding == 2 && plain.validation == 0 && plain.labelSmoothing == 0 && plain.erasing == 0)
        #expect(plain.optimizer == .adam(weightDecay: 5e-4) && plain.schedule == .cosine(epochs: 5, minimum: 0))
        #expect(throws: (any Error).self) { _ = try TrainMNIST.parse(["--recipe", "day"]) }
        #expect(FashionMNISTRecipe.named("Hour") == .hour && FashionMNISTRecipe.named("x") == nil)
    }

    /// `--recipe hour-bf16` is `hour` with 16 epochs, flips without crops, in bf16 — refused with
    /// the reason on a CPU without AVX512_BF16 unless `--precision fp32` is given.
    @Test func bf16RecipeNeedsTheInstructionsOrAnExplicitPrecision() throws {
        let recipe = FashionMNISTRecipe.hourBF16
        #expect(recipe.precision == .bf16 && recipe.epochs == 16 && recipe.cropPadding == 0 && FashionMNISTRecipe.named("HOUR-BF16") == recipe)
        var hour = FashionMNISTRecipe.hour
        #expect(hour.precision == .fp32)
        hour.epochs = 16; hour.cropPadding = 0; hour.precision = .bf16
        #expect(hour.learningRate == recipe.learningRate && hour.labelSmoothing == recipe.labelSmoothing && hour.stem == recipe.stem
                && hour.validation == recipe.validation && hour.weightDecay == recipe.weightDecay)
        let fp32 = try TrainMNIST.parse(["--recipe", "hour-bf16", "--precision", "fp32"]).configuredRun()
        #expect(fp32.precision == .fp32 && fp32.epochs == 16 && fp32.cropPadding == 0)
        if Precision.bf16.unavailableReason == nil {
            let run = try TrainMNIST.parse(["--recipe", "hour-bf16"]).configuredRun()
            #expect(run.precision == .bf16 && run.schedule == .oneCycle(epochs: 16, warmup: 0.25, div: 25, finalDiv: 1e4))
        } else {
            #expect(throws: (any Error).self) { _ = try TrainMNIST.parse(["--recipe", "hour-bf16"]) }
        }
        #expect(try TrainMNIST.parse(["--recipe", "hour"]).configuredRun().precision == .fp32)
    }

    /// `--recipe four-hours-bf16` is the four-hour run's command written out (Docs/RESULTS.md):
    /// `hour-bf16` with 56 epochs, 2-px crops, random erasing 0.25, a weight average of decay
    /// 0.998 and test-time flips — every setting that reaches the trainer the same.
    @Test func fourHourRecipeIsTheDocumentedCommand() throws {
        let named = try TrainMNIST.parse(["--recipe", "four-hours-bf16", "--precision", "fp32"]).configuredRun()
        let written = try TrainMNIST.parse(["--recipe", "hour-bf16", "--epochs", "56", "--crop-padding", "2", "--random-erasing", "0.25",
                                            "--ema", "0.998", "--tta", "--precision", "fp32"]).configuredRun()
        #expect(named.epochs == 56 && named.cropPadding == 2 && named.erasing == 0.25 && named.averageDecay == 0.998 && named.testTimeFlip)
        #expect(Self.sameTraining(named, written))
        #expect(named.schedule == .oneCycle(epochs: 56, warmup: 0.25, div: 25, finalDiv: 1e4))
        // Without --precision it trains in bf16, which a CPU without AVX512_BF16 refuses with the reason.
        #expect(FashionMNISTRecipe.named("four-hours-bf16")?.precision == .bf16)
        if Precision.bf16.unavailableReason != nil {
            #expect(throws: (any Error).self) { _ = try TrainMNIST.parse(["--recipe", "four-hours-bf16"]) }
        }
        // A flag given beside it still overrides the recipe's setting.
        #expect(try TrainMNIST.parse(["--recipe", "four-hours-bf16", "--precision", "fp32", "--random-erasing", "0"]).configuredRun().erasing == 0)
    }

    /// `--recipe four-hours` is the FP32 run of Docs/RESULTS.md written out — `four-hours-bf16`
    /// in FP32 with 42 epochs — so `--recipe four-hours --out runs/four-fp32-42` resumes that
    /// run; a CPU without AVX512_BF16 asked for `four-hours-bf16` is pointed to it.
    @Test func fp32FourHourRecipeIsTheDocumentedCommand() throws {
        let named = try TrainMNIST.parse(["--recipe", "four-hours"]).configuredRun()
        let written = try TrainMNIST.parse(["--recipe", "four-hours-bf16", "--precision", "fp32", "--epochs", "42"]).configuredRun()
        #expect(named.precision == .fp32 && named.epochs == 42 && named.erasing == 0.25 && named.averageDecay == 0.998)
        #expect(Self.sameTraining(named, written))
        #expect(named.schedule == .oneCycle(epochs: 42, warmup: 0.25, div: 25, finalDiv: 1e4))
        #expect(FashionMNISTRecipe.fourHoursBF16.fp32Counterpart == .fourHours && FashionMNISTRecipe.hourBF16.fp32Counterpart == .hour)
        #expect(FashionMNISTRecipe.fourHours.fp32Counterpart == nil && FashionMNISTRecipe.hour.fp32Counterpart == nil)
        if Precision.bf16.unavailableReason != nil {
            do {
                _ = try TrainMNIST.parse(["--recipe", "four-hours-bf16"])
                Issue.record("a CPU without AVX512_BF16 accepted --recipe four-hours-bf16")
            } catch {
                #expect(TrainMNIST.message(for: error).contains("--recipe four-hours "))
            }
        }
    }

    /// Every setting of two runs that reaches the trainer is the same.
    static func sameTraining(_ a: FashionMNISTTrainingRun, _ b: FashionMNISTTrainingRun) -> Bool {
        let schedule = a.epochs == b.epochs && a.learningRate == b.learningRate && a.optimizer == b.optimizer && a.schedule == b.schedule
        let data = a.augment == b.augment && a.cropPadding == b.cropPadding && a.paddingMode == b.paddingMode
            && a.erasing == b.erasing && a.validation == b.validation && a.batchSize == b.batchSize && a.seed == b.seed
            && a.limit == b.limit && a.testLimit == b.testLimit && a.batchNormGroupSize == b.batchNormGroupSize
        let evaluation = a.averageDecay == b.averageDecay && a.testTimeFlip == b.testTimeFlip && a.testTimeShifts == b.testTimeShifts
        let model = a.labelSmoothing == b.labelSmoothing && a.stem == b.stem && a.vectorWeightDecay == b.vectorWeightDecay
            && a.vectorLearningRateScale == b.vectorLearningRateScale && a.precision == b.precision && a.lookahead == b.lookahead
        return schedule && data && evaluation && model
    }

    @Test func predictTakesFolders() throws {
        let folder = TemporaryFolder.name("predict")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["b.PNG", "a.jpg", "notes.txt", "c.jpeg"] { try Data().write(to: folder.appendingPathComponent(name)) }
        let paths = try Predict.photoPaths([folder.path, "single.jpg"])
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["a.jpg", "b.PNG", "c.jpeg", "single.jpg"])
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { _ = try Predict.photoPaths([empty.path]) }
    }
}

/// One spelling drift fewer: `--out` and `--output` name the destination of every command,
/// `--restart` and `--overwrite` start afresh wherever either does.
@Suite struct FlagSpellingTests {
    @Test func outAndOutputAreOneFlag() throws {
        #expect(try Train.parse(["--output", "r"]).out == "r")
        #expect(try Prepare.parse(["--output", "p"]).out == "p")
        #expect(try Stats.parse(["--out", "s.csv"]).outputOptions.output == "s.csv")
        #expect(try Report.parse(["--runs", "d", "--output", "x.html"]).out == "x.html")
        #expect(try Synth.parse(["--restart"]).overwrite)
        #expect(try TrainMNIST.parse(["--overwrite"]).restart)
    }

    /// Lists, methods and backgrounds are typed: parsed (and refused) by the argument parser.
    @Test func typedOptions() throws {
        #expect(try FewShot.parse(["--nf", "5, 10,30"]).nf == PositiveIntegers([5, 10, 30]))
        #expect(try FewShot.parse([]).ratios == PositiveIntegers([30, 50]))
        for bad in ["", "5,,10", "0", "x", "5;10"] { #expect(throws: (any Error).self, "\(bad)") { try FewShot.parse(["--nf", bad]) } }
        #expect(try Recommend.parse(["--features", "f.csv"]).method == .all)
        #expect(try Recommend.parse(["--features", "f.csv", "--method", "User"]).method == .one(.user))
        #expect(try Recommend.parse(["--features", "f.csv", "--method", "item-centroid"]).method.methods == [.itemCentroid])
        #expect(throws: (any Error).self) { try Recommend.parse(["--features", "f.csv", "--method", "items"]) }
        #expect(try Prepare.parse(["--background", "WHITE"]).background == .white)
        #expect(throws: (any Error).self) { try Prepare.parse(["--background", "/no/such/masks"]) }
    }

    /// Choices are taken in any case, as their help lists them in lower case; a wrong word is still refused.
    @Test func choicesIgnoreCase() throws {
        #expect(try Stats.parse(["--format", "CSV"]).outputOptions.format == .csv)
        #expect(try Predict.parse(["--checkpoint", "c", "--format", "Json", "x.jpg"]).format == .json)
        #expect(throws: (any Error).self) { try Stats.parse(["--format", "xlsx"]) }
    }

    /// One rule for outputs: a report's missing folders are created, as every folder output's are.
    @Test func aReportsMissingFoldersAreCreated() throws {
        let root = TemporaryFolder.name("outputs")
        let target = root.appendingPathComponent("a/b/stats.csv")
        let options = try OutputOptions.parse(["--format", "csv", "--output", target.path])
        try options.emit("x,y\n")
        #expect(try String(contentsOf: target, encoding: .utf8) == "x,y\n")
        try Data().write(to: root.appendingPathComponent("file"))
        #expect(throws: ValidationError.self) { try OutputOptions.parse(["--output", root.appendingPathComponent("file/c.csv").path]).emit("") }
    }
}

/// The note a Fashion-MNIST command prints when `--data` holds another set in the same layout.
@Suite struct FashionMNISTDataNoteTests {
    @Test func namesTheFileAndWhatItIsNot() throws {
        let dir = TemporaryFolder.name("note")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(IDXBytes.header([2]) + [1, 7]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        try Data(IDXBytes.header([2, 28, 28]) + [UInt8](repeating: 9, count: 2 * 784)).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        let set = try FashionMNIST(split: .test, directory: dir.path), path = dir.path + "/t10k-images-idx3-ubyte"
        let note = try #require(FashionMNISTDataNote.note(for: set, split: .test, path: path))
        #expect(note.hasPrefix("note: \(path) (2 images) is not Fashion-MNIST's published test set"))
        #expect(note.contains("MNIST, KMNIST") && note.contains("subset"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory)))
    func saysNothingOnFashionMNISTAndNamesASwappedSplit() throws {
        let test = try FashionMNIST(split: .test)
        #expect(FashionMNISTDataNote.note(for: test, split: .test, path: "t") == nil)
        #expect(FashionMNISTDataNote.note(for: test, split: .train, path: "t") == "note: t holds Fashion-MNIST's test set, read here as its training set")
    }
}
