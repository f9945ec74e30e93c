import Foundation
import Testing
import Tensor
@testable import Recommender

/// The scorers against naive loops written straight from mission 3-2's description.
@Suite struct ScorerTests {
    static let d = 5
    static let stems = (0..<8).map { "W_0000\($0)_50_ivy_M" }
    static let store: FeatureStore = {
        var g = RandomGenerator(seed: 3)
        let values = (0..<(stems.count * d)).map { _ in max(0, g.normal()) + 0.01 }   // ReLU-like features
        return try! FeatureStore(stems: stems, values: values, dimension: d)
    }()
    typealias A = RatedPairs.Answer
    static func a(_ r: Int, _ i: Int, _ liked: Bool, _ stem: String? = nil) -> A {
        let s = stem ?? stems[i]
        return A(respondent: r, stem: s, imageFileName: s + ".jpg", labelFile: "\(s)_\(r).json", liked: liked)
    }
    static let missing = "T_99999_50_ivy_M"
    static let pairs = RatedPairs(
        training: [a(1, 0, true), a(1, 1, true), a(1, 2, false), a(2, 3, true), a(2, 0, false), a(3, 4, false),
                   a(4, 0, true), a(4, 1, false), a(4, 2, false), a(5, 0, true), a(5, 1, true), a(5, 6, true),
                   a(1, 0, true, missing), a(6, 7, true)],
        validation: [a(1, 5, true), a(1, 6, false), a(2, 1, true), a(3, 5, false), a(4, 6, true), a(5, 2, false),
                     a(7, 3, true), a(1, 0, false, missing), a(2, 6, false), a(3, 6, true)])

    static func cosine(_ x: [Double], _ y: [Double]) -> Double {
        let nx = x.map { $0 * $0 }.reduce(0, +).squareRoot(), ny = y.map { $0 * $0 }.reduce(0, +).squareRoot()
        return nx > 0 && ny > 0 ? zip(x, y).map(*).reduce(0, +) / (nx * ny) : 0
    }
    static func vector(_ stem: String) -> [Double] {
        if let i = store.row(of: stem) { return store.vector(i).map(Double.init) }
        return store.median.map(Double.init)
    }

    /// Mission 3-2 as written: means of cosines, the median for an empty side and a missing photo.
    static func naiveItem(_ r: Int, _ stem: String, excluding: Int? = nil) -> (Double, Double) {
        let mine = pairs.training.indices.filter { pairs.training[$0].respondent == r && $0 != excluding && store.row(of: pairs.training[$0].stem) != nil }
        let v = vector(stem), med = store.median.map(Double.init)
        func side(_ liked: Bool) -> Double {
            let members = mine.filter { pairs.training[$0].liked == liked }
            if members.isEmpty { return cosine(v, med) }
            return members.map { cosine(v, vector(pairs.training[$0].stem)) }.reduce(0, +) / Double(members.count)
        }
        return (side(true), side(false))
    }

    @Test func itemScoresMatchNaiveLoops() {
        let scorer = ItemBasedScorer(store: Self.store, pairs: Self.pairs)
        let got = scorer.scoreValidation()
        for (q, answer) in Self.pairs.validation.enumerated() {
            let (l, s) = Self.naiveItem(answer.respondent, answer.stem)
            #expect(abs(got[q].likeSimilarity - l) < 1e-5 && abs(got[q].dislikeSimilarity - s) < 1e-5, "pair \(q)")
            #expect(got[q].photoMissing == (answer.stem == Self.missing))
        }
        #expect(got[6].likeStandIn && got[6].dislikeStandIn, "respondent 7 has no training answers")
        #expect(got[3].likeStandIn && !got[3].dislikeStandIn)
        #expect(scorer.missingStems == [Self.missing])
    }

    @Test func centroidStandInIsTheMeanCosineToEveryPhoto() {
        let got = ItemBasedScorer(store: Self.store, pairs: Self.pairs, standIn: .centroid).scoreValidation()
        for (q, answer) in Self.pairs.validation.enumerated() where answer.stem != Self.missing {
            let v = Self.vector(answer.stem)
            let meanCos = Self.stems.map { Self.cosine(v, Self.vector($0)) }.reduce(0, +) / Double(Self.stems.count)
            let (l, s) = Self.naiveItem(answer.respondent, answer.stem)
            if got[q].likeStandIn { #expect(abs(got[q].likeSimilarity - meanCos) < 1e-5) } else { #expect(abs(got[q].likeSimilarity - l) < 1e-5) }
            if got[q].dislikeStandIn { #expect(abs(got[q].dislikeSimilarity - meanCos) < 1e-5) } else { #expect(abs(got[q].dislikeSimilarity - s) < 1e-5) }
        }
    }

    @Test func leaveOneOutMatchesRecomputingWithoutTheAnswer() {
        let got = ItemBasedScorer(store: Self.store, pairs: Self.pairs).scoreTrainingLeaveOneOut()
        for (t, answer) in Self.pairs.training.enumerated() {
            let (l, s) = Self.naiveItem(answer.respondent, answer.stem, excluding: t)
            #expect(abs(got[t].likeSimilarity - l) < 1e-5 && abs(got[t].dislikeSimilarity - s) < 1e-5, "training answer \(t)")
        }
    }

    /// User-based CF as written: cosine of ±1 vectors over training photos, top-k positive neighbours.
    static func naiveUser(_ r: Int, _ stem: String, k: Int, hideOwn: Bool) -> Double? {
        func vec(_ s: Int) -> [String: Double] {
            var v: [String: Double] = [:]
            for x in pairs.training where x.respondent == s { v[x.stem] = x.liked ? 1 : -1 }
            return v
        }
        var mine = vec(r)
        if hideOwn { mine[stem] = nil }
        var neighbours: [(Double, Double)] = []
        var seen = Set<Int>()
        for x in pairs.training + (hideOwn ? [] : pairs.validation) where x.stem == stem && x.respondent != r && seen.insert(x.respondent).inserted {
            let theirs = vec(x.respondent)
            guard !mine.isEmpty, !theirs.isEmpty else { continue }
            let dot = mine.reduce(0.0) { $0 + $1.value * (theirs[$1.key] ?? 0) }
            let sim = dot / (Double(mine.count).squareRoot() * Double(theirs.count).squareRoot())
            if sim > 0 { neighbours.append((sim, x.liked ? 1 : -1)) }
        }
        neighbours.sort { $0.0 > $1.0 }
        let top = neighbours.prefix(k)
        let den = top.map(\.0).reduce(0, +)
        return den > 0 ? top.map { $0.0 * $0.1 }.reduce(0, +) / den : nil
    }

    @Test(arguments: [1, 2, 10])
    func userScoresMatchNaiveLoops(_ k: Int) {
        let scorer = UserBasedScorer(pairs: Self.pairs)
        for (q, s) in scorer.scoreValidation().enumerated() {
            let answer = Self.pairs.validation[q]
            let want = Self.naiveUser(answer.respondent, answer.stem, k: k, hideOwn: false)
            #expect(s.score(k: k).map { abs($0 - want!) < 1e-12 } ?? (want == nil), "validation pair \(q)")
        }
        for (t, s) in scorer.scoreTrainingLeaveOneOut().enumerated() {
            let answer = Self.pairs.training[t]
            let want = Self.naiveUser(answer.respondent, answer.stem, k: k, hideOwn: true)
            #expect(s.score(k: k).map { abs($0 - want!) < 1e-12 } ?? (want == nil), "training answer \(t)")
        }
    }

    @Test func evaluationReportsEveryMethodAndChoosesOnTrainingOnly() throws {
        let e = try PreferenceEvaluation(store: Self.store, pairs: Self.pairs)
        #expect(e.results.map(\.method) == ["item", "item-centroid", "user", "hybrid", "learned"])
        let item = e.results[0]
        #expect(item.validationScores == e.item.map(\.score))
        #expect(item.metrics.pairs == Self.pairs.validation.count)
        #expect(item.metrics.standIns["photo_missing"] == 1)
        // Flipping every validation label must not move anything chosen on training answers
        // (user-based validation scores do move: other respondents' answers about a photo are its votes).
        var flipped = Self.pairs.validation
        for i in flipped.indices { flipped[i].liked.toggle() }
        let f = try PreferenceEvaluation(store: Self.store, pairs: RatedPairs(training: Self.pairs.training, validation: flipped))
        for (a, b) in zip(e.results, f.results) {
            #expect(a.metrics.trainThreshold == b.metrics.trainThreshold)
            #expect(a.metrics.parameters == b.metrics.parameters)
        }
        #expect(e.results[0].validationScores == f.results[0].validationScores)
        let report = RecommendationReport([e])
        let csv = report.scoresCSV().split(separator: "\n")
        #expect(csv.first == "respondent,image,stem,label_file,liked,n_train_liked,n_train_disliked,like_sim,dislike_sim,score_item,score_item_centroid,score_user,score_hybrid,score_learned,probability_learned")
        #expect(csv.count == Self.pairs.validation.count + 1)
        #expect(csv[1].split(separator: ",")[4] == "true" || csv[1].split(separator: ",")[4] == "false")
        // One long roc.csv: every method's curve, tagged by method.
        let roc = report.rocCSV().split(separator: "\n")
        #expect(roc.first == "method,fpr,tpr,threshold")
        #expect(Set(roc.dropFirst().map { String($0.split(separator: ",")[0]) }) == ["item", "item-centroid", "user", "hybrid", "learned"])
        #expect(roc.count == 1 + e.results.map(\.roc.fpr.count).reduce(0, +))
        #expect(RecommendationReport.scoreColumn("autoencoder-64 item-centroid") == "score_autoencoder_64_item_centroid")
        let methods = try JSONSerialization.jsonObject(with: report.metricsJSON()) as! [[String: Any]]   // records, for pd.read_json
        #expect(methods.count == 5 && methods[0]["accuracy_at_0"] != nil && methods[0]["train_threshold"] != nil)
        #expect(report.markdown().contains("| item |"))
    }

    /// Every method says which share of the validation answers it scored itself, and the hybrid,
    /// whose candidates include each part alone, is never worse on the training answers (the
    /// leave-one-out AUC it is chosen by) than its better part.
    @Test func ownSharesAndAHybridNeverWorseThanItsParts() throws {
        let e = try PreferenceEvaluation(store: Self.store, pairs: Self.pairs)
        let m = Dictionary(uniqueKeysWithValues: e.results.map { ($0.method, $0.metrics) })
        let n = Double(Self.pairs.validation.count)
        let item = try #require(m["item"]), user = try #require(m["user"]), hybrid = try #require(m["hybrid"])
        #expect(item.ownShare == (n - 1) / n, "one photo lacks features")
        #expect(user.ownShare == (n - Double(user.standIns["user_fallback"] ?? 0)) / n)
        let centroid = try #require(m["item-centroid"])
        #expect((hybrid.trainAUC ?? 0) >= max(centroid.trainAUC ?? 0, user.trainAUC ?? 0))
        // Forced to lean on the user part alone, the hybrid is the user method.
        var only = PreferenceEvaluation.Options()
        only.weightCandidates = []
        let u = try PreferenceEvaluation(store: Self.store, pairs: Self.pairs, options: only)
        let h = try #require(u.results.first { $0.method == "hybrid" }), plainUser = try #require(u.results.first { $0.method == "user" })
        #expect(h.validationScores == plainUser.validationScores && h.metrics.parameters["user_only"] == 1)
        #expect(RecommendationReport([e]).markdown().contains("scored by the method itself"))
        let records = try JSONSerialization.jsonObject(with: RecommendationReport([e]).metricsJSON()) as! [[String: Any]]
        #expect(records.allSatisfy { $0["own_share"] is Double })
        let run = try JSONSerialization.jsonObject(with: RecommendationReport([e]).runJSON()) as! [String: Any]
        #expect(run["missing_stems"] is [String])
    }
}
