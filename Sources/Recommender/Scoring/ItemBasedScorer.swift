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
/// The mean of cosines is computed as one dot product with the sum of the unit vectors,
/// divided by the count — the same number; respondents are scored in parallel.
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

    /// Scores `(respondent, stem)` queries; `leaveOut[q]` names a training answer excluded from
    /// query q's means — the answer about the query's own photo, so its unit vector is the
    /// query's and taking it out of a mean of dot products is subtracting v·v.
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
                        var likeSum = [Float](repeating: 0, count: d), dislikeSum = [Float](repeating: 0, count: d)
                        likeSum.withUnsafeMutableBufferPointer { like in
                          dislikeSum.withUnsafeMutableBufferPointer { dislike in
                            for g in range {
                                let (respondent, members) = groups[g]
                                like.update(repeating: 0); dislike.update(repeating: 0)
                                var nLike = 0, nDislike = 0
                                for t in pairs.trainingByRespondent[respondent] ?? [] {
                                    guard let row = trainingRows[t] else { continue }
                                    let u = unit.baseAddress! + row * d
                                    if pairs.training[t].liked {
                                        for j in 0..<d { like[j] += u[j] }
                                        nLike += 1
                                    } else {
                                        for j in 0..<d { dislike[j] += u[j] }
                                        nDislike += 1
                                    }
                                }
                                for q in members {
                                    let v = queryRows[q].map { unit.baseAddress! + $0 * d } ?? median.baseAddress!
                                    var nl = nLike, nd = nDislike
                                    var l = Double(FeatureStore.dot(v, like.baseAddress!, d))
                                    var s = Double(FeatureStore.dot(v, dislike.baseAddress!, d))
                                    if let leaveOut, trainingRows[leaveOut[q]] != nil {
                                        let own = Double(FeatureStore.dot(v, v, d))
                                        if pairs.training[leaveOut[q]].liked { l -= own; nl -= 1 } else { s -= own; nd -= 1 }
                                    }
                                    let standIn = nl == 0 || nd == 0 ? Double(FeatureStore.dot(v, empty.baseAddress!, d)) : 0
                                    results[q] = ItemScore(likeSimilarity: nl > 0 ? l / Double(nl) : standIn,
                                                           dislikeSimilarity: nd > 0 ? s / Double(nd) : standIn,
                                                           likedCount: nl, dislikedCount: nd, photoMissing: queryRows[q] == nil)
                                }
                            }
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
