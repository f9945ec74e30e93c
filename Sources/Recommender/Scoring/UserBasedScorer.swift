import Tensor

/// One pair's user-based prediction.
public struct UserScore: Equatable, Sendable {
    /// Other respondents who answered the photo, most similar first: (similarity, their answer ±1).
    /// Only those with a positive similarity are kept.
    public var neighbours: [(similarity: Double, answer: Double)]
    /// Respondents besides this one who answered the photo (any similarity).
    public var raters: Int

    public static func == (a: UserScore, b: UserScore) -> Bool {
        a.raters == b.raters && a.neighbours.count == b.neighbours.count
            && zip(a.neighbours, b.neighbours).allSatisfy { $0.similarity == $1.similarity && $0.answer == $1.answer }
    }

    /// The similarity-weighted mean answer of the `k` most similar neighbours, in [−1, 1];
    /// nil when no neighbour with a positive similarity answered the photo.
    public func score(k: Int) -> Double? {
        var num = 0.0, den = 0.0
        for n in neighbours.prefix(max(1, k)) { num += n.similarity * n.answer; den += n.similarity }
        return den > 0 ? num / den : nil
    }
}

/// Mission 3-1's user-based collaborative filtering.
///
/// Each respondent is a sparse vector over training photos (like +1, dislike −1); two
/// respondents' similarity is the cosine of their vectors. For a respondent r and a photo v,
/// the other respondents who answered v (in either split; r's own answer is what is
/// predicted) are ranked by similarity to r, and the `k` most similar with a positive
/// similarity vote with their answer, weighted by similarity (as `surprise`'s KNNBasic). Where
/// no such neighbour exists the caller falls back to the item-based score.
///
/// For the leave-one-out scores of training answers, r's answer to the photo is removed from
/// r's vector before the similarities are taken, and only training answers vote, so nothing
/// chosen on those scores (k, thresholds, the hybrid's weight) has seen a validation answer.
public struct UserBasedScorer: Sendable {
    public let pairs: RatedPairs
    /// Respondent → its training answers as (photo id, ±1), sorted by photo id.
    let vectors: [Int: [(Int, Double)]]
    /// Photo id → every answer about it, training answers first: (respondent, ±1).
    let raters: [Int: [(respondent: Int, answer: Double)]]
    /// Photo id → the training answers about it.
    let trainingRaters: [Int: [(respondent: Int, answer: Double)]]
    let photoIDs: [String: Int]

    public init(pairs: RatedPairs) {
        self.pairs = pairs
        var ids: [String: Int] = [:]
        func id(_ stem: String) -> Int {
            if let i = ids[stem] { return i }
            ids[stem] = ids.count
            return ids.count - 1
        }
        var vectors: [Int: [(Int, Double)]] = [:], raters: [Int: [(respondent: Int, answer: Double)]] = [:]
        for a in pairs.training {
            let p = id(a.stem)
            vectors[a.respondent, default: []].append((p, a.liked ? 1 : -1))
            raters[p, default: []].append((a.respondent, a.liked ? 1 : -1))
        }
        let trainingRaters = raters
        for a in pairs.validation { raters[id(a.stem), default: []].append((a.respondent, a.liked ? 1 : -1)) }
        for (r, v) in vectors { vectors[r] = v.sorted { $0.0 < $1.0 } }
        self.vectors = vectors; self.raters = raters; self.trainingRaters = trainingRaters; self.photoIDs = ids
    }

    /// Neighbours for every validation answer.
    public func scoreValidation() -> [UserScore] {
        score(queries: pairs.validation.map { ($0.respondent, $0.stem) }, leaveOut: false)
    }

    /// Neighbours for every training answer, r's own answer to the photo taken out of r's vector.
    public func scoreTrainingLeaveOneOut() -> [UserScore] {
        score(queries: pairs.training.map { ($0.respondent, $0.stem) }, leaveOut: true)
    }

    func score(queries: [(respondent: Int, stem: String)], leaveOut: Bool) -> [UserScore] {
        var out = [UserScore](repeating: UserScore(neighbours: [], raters: 0), count: queries.count)
        let photoCount = photoIDs.count
        out.withUnsafeMutableBufferPointer { results in
            Threading.parallelRanges(queries.count, minimumGrain: 64) { range in
                // r's vector as a dense lookup, rebuilt when the respondent changes.
                var dense = [Double](repeating: 0, count: photoCount)
                var current: Int? = nil
                for q in range {
                    let (r, stem) = queries[q]
                    let mine = vectors[r] ?? []
                    if current != r {
                        if let c = current { for (p, _) in vectors[c] ?? [] { dense[p] = 0 } }
                        for (p, a) in mine { dense[p] = a }
                        current = r
                    }
                    guard let photo = photoIDs[stem], let answers = (leaveOut ? trainingRaters : raters)[photo] else { continue }
                    var count = mine.count
                    let hidden = leaveOut ? dense[photo] : 0
                    if hidden != 0 { count -= 1 }
                    guard count > 0 else { results[q] = UserScore(neighbours: [], raters: answers.count(where: { $0.respondent != r })); continue }
                    let normR = Double(count).squareRoot()
                    var neighbours: [(similarity: Double, answer: Double)] = [], others = 0
                    var seen = Set<Int>()
                    for (s, answer) in answers where s != r {
                        others += 1
                        guard seen.insert(s).inserted, let theirs = vectors[s], !theirs.isEmpty else { continue }
                        var dot = 0.0
                        for (p, a) in theirs { dot += dense[p] * a }
                        if hidden != 0, let a = theirs.first(where: { $0.0 == photo })?.1 { dot -= hidden * a }
                        let similarity = dot / (normR * Double(theirs.count).squareRoot())
                        if similarity > 0 { neighbours.append((similarity, answer)) }
                    }
                    neighbours.sort { $0.similarity > $1.similarity }
                    results[q] = UserScore(neighbours: neighbours, raters: others)
                }
            }
        }
        return out
    }
}
