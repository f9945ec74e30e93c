import Dataset
import Foundation
import Testing
import Tensor
@testable import Models

/// Per-class precision, recall, F1 and macro F1 against scikit-learn
/// (`Tools/make_classification_reference.py`), and the JSON a pandas user reads.
@Suite struct EvaluationTests {
    static let truth = [0, 0, 0, 1, 1, 2, 2, 2, 3, 3]
    static let predictions = [0, 0, 1, 1, 0, 2, 2, 0, 0, 4]
    static let evaluation = Evaluation(classes: ["a", "b", "c", "d", "e"], truth: truth, predictions: predictions)

    @Test func perClassFiguresAreScikitLearns() {
        let m = Self.evaluation.perClass
        // precision_recall_fscore_support(zero_division=0): undefined figures are 0 there, nil here.
        let precision = [0.4, 0.5, 1.0, 0.0, 0.0], recall = [2.0 / 3, 0.5, 2.0 / 3, 0.0, 0.0], f1 = [0.5, 0.5, 0.8, 0.0, 0.0]
        for c in 0..<5 {
            #expect(abs((m[c].precision ?? 0) - precision[c]) < 1e-12)
            #expect(abs((m[c].recall ?? 0) - recall[c]) < 1e-12)
            #expect(abs((m[c].f1 ?? 0) - f1[c]) < 1e-12)
        }
        #expect(m.map(\.support) == [3, 2, 3, 2, 0])
        #expect(m[3].precision == nil && m[4].recall == nil && m[4].precision == 0)
        #expect(abs(Self.evaluation.macroF1 - 0.36) < 1e-12)
        #expect(Self.evaluation.accuracy == 0.5)
    }

    @Test func jsonCarriesTheFiguresAndReadsBack() throws {
        let data = try JSONEncoder().encode(Self.evaluation)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["accuracy"] as? Double == 0.5 && object["correct"] as? Int == 5 && object["examples"] as? Int == 10)
        let rows = try #require(object["per_class"] as? [[String: Any]])
        #expect(rows.count == 5 && rows[2]["class"] as? String == "c" && rows[2]["f1"] as? Double == 0.8)
        #expect(object["macro_f1"] as? Double != nil)
        #expect(try JSONDecoder().decode(Evaluation.self, from: data) == Self.evaluation)
        // The file adds the paper's figures for the minority classes, and per_class.csv is the tidy table.
        let file = try #require(try JSONSerialization.jsonObject(with: EvaluationFiles.summaryJSON(Self.evaluation, minority: [1, 3])) as? [String: Any])
        #expect(file["minority_classes"] as? [String] == ["b", "d"])
        let h = Self.evaluation.harmonicAccuracy(minority: [1, 3])   // majority 4/6, minority 1/4
        #expect(abs(h.majority - 4.0 / 6) < 1e-12 && abs(h.minority - 0.25) < 1e-12)
        #expect(file["majority_accuracy"] as? Double == h.majority && file["minority_accuracy"] as? Double == h.minority)
        #expect(file["acc_h"] as? Double == h.harmonic && file["accuracy"] as? Double == 0.5)
        #expect(try JSONDecoder().decode(Evaluation.self, from: EvaluationFiles.summaryJSON(Self.evaluation, minority: [1])) == Self.evaluation)
        let none = try #require(try JSONSerialization.jsonObject(with: EvaluationFiles.summaryJSON(Self.evaluation, minority: [])) as? [String: Any])
        #expect(none["minority_classes"] as? [String] == [] && none["acc_h"] == nil)
        let table = EvaluationFiles.perClassCSV(Self.evaluation, minority: [1, 3]).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(table[0] == "class,support,precision,recall,f1,minority")
        #expect(table[1] == "a,3,0.4,0.666666667,0.5,false" && table[2] == "b,2,0.5,0.5,0.5,true")
        #expect(table[5] == "e,0,0,,,false", "undefined figures are empty cells")
        let ragged = #"{"classes":["a","b"],"confusion":[[1,0],[2]]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Evaluation.self, from: Data(ragged.utf8)) }
    }

    @Test func topKRanksAsArgmaxAndGivesSoftmaxProbabilities() {
        let model = ResNet18(classes: 7, inputChannels: 3, stem: .compact, seed: 3)
        var g = RandomGenerator(seed: 9)
        let images = Initializer.normal([5, 3, 16, 16], std: 1, generator: &g)
        let batch = LabelledBatch(images: images, labels: [0, 1, 2, 3, 4])
        let (truth, predictions) = ClassifierEpoch.predict(model, batches: [batch])
        let (truth2, top) = ClassifierEpoch.predictTopK(model, batches: [batch], k: 3)
        #expect(truth == truth2 && top.map { $0[0].label } == predictions)
        for row in top {
            #expect(row.count == 3 && row[0].probability >= row[1].probability && row[1].probability >= row[2].probability)
            #expect(row.allSatisfy { $0.probability > 0 && $0.probability < 1 })
        }
    }

    /// One minority rule, kept in the checkpoint: training and evaluation agree.
    @Test func minorityClassesAreDecidedFromTrainingCountsAndTravelInTheCheckpoint() throws {
        #expect(Evaluation.minorityClasses(trainingCounts: [10, 3, 7, 20, 5]) == [1, 4])   // median 7
        #expect(Evaluation.minorityClasses(trainingCounts: []) == [])
        var metadata = CheckpointMetadata(classes: ["a", "b", "c"], inputChannels: 3, inputSize: 32, stem: .small,
                                          mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2])
        metadata.minorityClasses = ["b"]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("minority-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(ResNet18(classes: 3, inputChannels: 3, stem: .small, seed: 1), metadata: metadata, to: url)
        #expect(try Checkpoint.load(contentsOf: url).metadata?.minorityClasses == ["b"])
        metadata.minorityClasses = ["z"]
        #expect(metadata.problem(classes: 3, channels: 3, kernel: 3) == "minority class z is not among the classes")
        // Files from before: no list, no problem.
        var old = metadata.strings
        old["minority_classes"] = nil
        #expect(CheckpointMetadata(strings: old)?.minorityClasses == nil)
    }
}
