import Tensor

/// One pair's item-based score.
public struct ItemScore: Equatable, Sendable {
    /// Mean cosine similarity of the photo to the respondent's training-liked photos
    /// (or to the median vector when there are none).
    public var likeSimilarity: Double
    public var dislikeSimilarity: Double
    /// `likeSimilarity − dislikeSimilarity`.
    public var score: Double { likeSimilarity - dislikeSimilarity }
    /// Training-liked / -disliked photos that entered the means (those the store has).
    public var likedCount: Int
    public var dislikedCount: Int
    /// The photo itself was not in the store: the median vector stood in for it.
    public var photoMissing: Bool
    public var likeStandIn: Bool { likedCount == 0 }
    public var dislikeStandIn: Bool { dislikedCount == 0 }
}

/// Mission 3-2's item-based collaborative filtering over image features.
///
/// For a respondent r and a photo v: `like_sim` is the mean cosine similarity of v to each of
/// r's training-liked photos (one term per answer), `dislike_sim` likewise for the disliked;
/// a side with no photo uses cos(v, median vector) — the seed's `DUMMY_FEATURES` — and a photo
/// the store lacks is itself replaced by the median vector; the score is
/// `like_sim − dislike_sim`, "like" predicted when it is above a threshold (0 in the seed).
///
/// The mean of cosines is computed as one dot product with the mean of the unit vectors,
/// which is the same number; respondents are scored in parallel.
public struct ItemBasedScorer: Sendable {
    /// What an empty side is compared with.
    public enum StandIn: String, Sendable, CaseIterable {
        /// The seed's: the element-wise median vector (`feature_df.median()`). Its cosine with
        /// any photo is high (a central vector), so a respondent with no training dislikes gets
        /// a high `dislike_sim` and looks as if they dislike everything.
        case median
        /// The mean of all photos' unit vectors: an empty side scores the photo's mean cosine
        /// similarity to every photo — neutral, so the other side alone decides.
        case centroid
    }

    public let store: FeatureStore
    public let pairs: RatedPairs
    public let standIn: StandIn
    /// Row of each training answer's photo (nil when the store lacks it).
    let trainingRows: [Int?]
    /// The vector an empty side is replaced by (unit median, or the centroid of unit vectors).
    let standInVector: [Float]

    public init(store: FeatureStore, pairs: RatedPairs, standIn: StandIn = .median) {
        self.store = store; self.pairs = pairs; self.standIn = standIn
        trainingRows = pairs.training.map { store.row(of: $0.stem) }
        switch standIn {
        case .median: standInVector = store.normalizedMedian
        case .centroid:
            var c = [Double](repeating: 0, count: store.dimension)
            for i in 0..<store.count { for j in 0..<store.dimension { c[j] += Double(store.normalized[i * store.dimension + j]) } }
            standInVector = c.map { Float($0 / Double(max(store.count, 1))) }
        }
    }

    /// Stems answered in either split that the store lacks, sorted.
    public var missingStems: [String] { pairs.stems.filter { store.row(of: $0) == nil }.sorted() }

    /// Scores every validation answer against its respondent's training answers (in ``RatedPairs/validation``'s order).
    public func scoreValidation() -> [ItemScore] {
        score(queries: pairs.validation.map { ($0.respondent, $0.stem) }, leaveOut: nil)
    }

    /// Scores every training answer against the respondent's *other* training answers
    /// (leave-one-out), so a threshold can be chosen without touching validation answers.
    public func scoreTrainingLeaveOneOut() -> [ItemScore] {
        score(queries: pairs.training.map { ($0.respondent, $0.stem) }, leaveOut: Array(pairs.training.indices))
    }

    /// Scores `(respondent, stem)` queries; `leaveOut[q]` names a training answer excluded from query q's means.
    func score(queries: [(respondent: Int, stem: String)], leaveOut: [Int]?) -> [ItemScore] {
        var byRespondent: [Int: [Int]] = [:]
        for (q, query) in queries.enumerated() { byRespondent[query.respondent, default: []].append(q) }
        let groups = Array(byRespondent)
        let d = store.dimension
        var out = [ItemScore](repeating: ItemScore(likeSimilarity: 0, dislikeSimilarity: 0, likedCount: 0, dislikedCount: 0, photoMissing: false),
                              count: queries.count)
        let queryRows = queries.map { store.row(of: $0.stem) }
        out.withUnsafeMutableBufferPointer { results in
            store.normalized.withUnsafeBufferPointer { unit in
                store.normalizedMedian.withUnsafeBufferPointer { median in
                  standInVector.withUnsafeBufferPointer { empty in
                    Threading.parallelRanges(groups.count, minimumGrain: 16) { range in
                        var likeSum = [Double](repeating: 0, count: d), dislikeSum = [Double](repeating: 0, count: d)
                        var like = [Float](repeating: 0, count: d), dislike = [Float](repeating: 0, count: d)
                        for g in range {
                            let (respondent, members) = groups[g]
                            for j in 0..<d { likeSum[j] = 0; dislikeSum[j] = 0 }
                            var nLike = 0, nDislike = 0
                            for t in pairs.trainingByRespondent[respondent] ?? [] {
                                guard let row = trainingRows[t] else { continue }
                                let u = unit.baseAddress! + row * d
                                if pairs.training[t].liked {
                                    for j in 0..<d { likeSum[j] += Double(u[j]) }
                                    nLike += 1
                                } else {
                                    for j in 0..<d { dislikeSum[j] += Double(u[j]) }
                                    nDislike += 1
                                }
                            }
                            for q in members {
                                var nl = nLike, nd = nDislike
                                var excluded: UnsafePointer<Float>? = nil, excludedLiked = false
                                if let leaveOut, let row = trainingRows[leaveOut[q]] {
                                    excluded = unit.baseAddress! + row * d
                                    excludedLiked = pairs.training[leaveOut[q]].liked
                                    if excludedLiked { nl -= 1 } else { nd -= 1 }
                                }
                                // The means of the unit vectors (the excluded one taken out).
                                for j in 0..<d {
                                    var l = likeSum[j], s = dislikeSum[j]
                                    if let e = excluded { if excludedLiked { l -= Double(e[j]) } else { s -= Double(e[j]) } }
                                    like[j] = nl > 0 ? Float(l / Double(nl)) : empty[j]
                                    dislike[j] = nd > 0 ? Float(s / Double(nd)) : empty[j]
                                }
                                let v = queryRows[q].map { unit.baseAddress! + $0 * d } ?? median.baseAddress!
                                let ls = like.withUnsafeBufferPointer { FeatureStore.dot(v, $0.baseAddress!, d) }
                                let ds = dislike.withUnsafeBufferPointer { FeatureStore.dot(v, $0.baseAddress!, d) }
                                results[q] = ItemScore(likeSimilarity: Double(ls), dislikeSimilarity: Double(ds),
                                                       likedCount: nl, dislikedCount: nd, photoMissing: queryRows[q] == nil)
                            }
                        }
                    }
                  }
                }
            }
        }
        return out
    }
}
