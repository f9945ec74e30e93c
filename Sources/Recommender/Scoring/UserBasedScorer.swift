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
    /// Respondent → dense index.
    let respondentIndex: [Int: Int]
    /// Dense respondent index → its training answers as (photo id, ±1), flat: `vectorStart[i]..<vectorStart[i+1]`.
    let vectorStart: [Int]
    let vectorPhoto: [Int32], vectorAnswer: [Float]
    /// Photo id → every answer about it (training answers first): `raterStart[p]..<raterEnd[p]`
    /// into `raterRespondent`/`raterAnswer`; the training ones end at `raterTrainingEnd[p]`.
    let raterStart: [Int], raterTrainingEnd: [Int], raterEnd: [Int]
    let raterRespondent: [Int32], raterAnswer: [Float]
    let photoIDs: [String: Int]

    public init(pairs: RatedPairs) {
        self.pairs = pairs
        var ids: [String: Int] = [:], respondents: [Int: Int] = [:]
        // Dense indices in order of first appearance, one per answer (training, then validation).
        func indices(_ answers: [RatedPairs.Answer]) -> [(photo: Int, respondent: Int)] {
            answers.map { a in
                let p = ids[a.stem, default: ids.count]; ids[a.stem] = p
                let r = respondents[a.respondent, default: respondents.count]; respondents[a.respondent] = r
                return (p, r)
            }
        }
        let trainingIndices = indices(pairs.training), validationIndices = indices(pairs.validation)
        // Respondents' vectors, sorted by photo id.
        var perRespondent = [[(Int32, Float)]](repeating: [], count: respondents.count)
        for (a, i) in zip(pairs.training, trainingIndices) { perRespondent[i.respondent].append((Int32(i.photo), a.liked ? 1 : -1)) }
        var start = [0], photo: [Int32] = [], answer: [Float] = []
        for v in perRespondent {
            for (p, x) in v.sorted(by: { $0.0 < $1.0 }) { photo.append(p); answer.append(x) }
            start.append(photo.count)
        }
        // Raters per photo: training answers, then validation answers.
        var training = [[(Int32, Float)]](repeating: [], count: ids.count), validation = training
        for (a, i) in zip(pairs.training, trainingIndices) { training[i.photo].append((Int32(i.respondent), a.liked ? 1 : -1)) }
        for (a, i) in zip(pairs.validation, validationIndices) { validation[i.photo].append((Int32(i.respondent), a.liked ? 1 : -1)) }
        var rs: [Int] = [], rt: [Int] = [], re: [Int] = [], rr: [Int32] = [], ra: [Float] = []
        for p in 0..<ids.count {
            rs.append(rr.count)
            for (r, x) in training[p] { rr.append(r); ra.append(x) }
            rt.append(rr.count)
            for (r, x) in validation[p] { rr.append(r); ra.append(x) }
            re.append(rr.count)
        }
        respondentIndex = respondents; vectorStart = start; vectorPhoto = photo; vectorAnswer = answer
        raterStart = rs; raterTrainingEnd = rt; raterEnd = re; raterRespondent = rr; raterAnswer = ra
        photoIDs = ids
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
        let photoCount = photoIDs.count, respondentCount = respondentIndex.count
        out.withUnsafeMutableBufferPointer { results in
            Threading.parallelRanges(queries.count, minimumGrain: 256) { range in
                // r's vector as a dense lookup (cleared after each query), and a stamp per
                // respondent so each neighbour counts once.
                var dense = [Float](repeating: 0, count: photoCount)
                var seen = [Int](repeating: -1, count: respondentCount)
                var neighbours: [(similarity: Double, answer: Double)] = []
                for q in range {
                    let (respondent, stem) = queries[q]
                    guard let photo = photoIDs[stem], let r = respondentIndex[respondent] else { continue }
                    let mine = vectorStart[r]..<vectorStart[r + 1]
                    for k in mine { dense[Int(vectorPhoto[k])] = vectorAnswer[k] }
                    let hidden = leaveOut ? dense[photo] : 0
                    let count = mine.count - (hidden != 0 ? 1 : 0)
                    let end = leaveOut ? raterTrainingEnd[photo] : raterEnd[photo]
                    neighbours.removeAll(keepingCapacity: true)
                    var others = 0
                    for k in raterStart[photo]..<end where Int(raterRespondent[k]) != r {
                        others += 1
                        let s = Int(raterRespondent[k])
                        guard count > 0, seen[s] != q else { continue }
                        seen[s] = q
                        let theirs = vectorStart[s]..<vectorStart[s + 1]
                        guard !theirs.isEmpty else { continue }
                        var dot: Float = 0
                        for j in theirs { dot += dense[Int(vectorPhoto[j])] * vectorAnswer[j] }
                        if hidden != 0, let j = theirs.first(where: { Int(vectorPhoto[$0]) == photo }) { dot -= hidden * vectorAnswer[j] }
                        let similarity = Double(dot) / (Double(count).squareRoot() * Double(theirs.count).squareRoot())
                        if similarity > 0 { neighbours.append((similarity, Double(raterAnswer[k]))) }
                    }
                    for k in mine { dense[Int(vectorPhoto[k])] = 0 }
                    neighbours.sort { $0.similarity > $1.similarity }
                    results[q] = UserScore(neighbours: neighbours, raters: others)
                }
            }
        }
        return out
    }
}
