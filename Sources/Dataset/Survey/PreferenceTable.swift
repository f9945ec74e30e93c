import Foundation
import FashionBase

/// One respondent's likes and dislikes, by split (image file names, sorted).
public struct RespondentPreferences: Codable, Hashable, Sendable {
    public let respondent: Int
    public var trainingLiked: [String] = []
    public var trainingDisliked: [String] = []
    public var validationLiked: [String] = []
    public var validationDisliked: [String] = []

    public init(respondent: Int) { self.respondent = respondent }

    /// All answers kept for this respondent.
    public var answerCount: Int { trainingLiked.count + trainingDisliked.count + validationLiked.count + validationDisliked.count }
}

/// A respondent who both liked and disliked one photo: all those answers are dropped.
public struct Contradiction: Codable, Hashable, Sendable {
    public let respondent: Int
    public let split: Split
    public let image: String
    /// The label files that disagree.
    public let labelFiles: [String]
}

/// Mission 2-2: every valid label's answer, per respondent, with the rules applied.
///
/// Rules: a respondent's contradictory answers for one photo (liked in one file, disliked in
/// another — the organisers' known case `W_27750_60_mods_M_146696.json`) are reported and all
/// dropped, since neither can be trusted; a repeated identical answer is kept once and the
/// repeat reported. Files that cannot be read or decoded are reported and skipped.
public struct PreferenceTable: Sendable {
    /// The answers kept, ordered by split then label file name.
    public let answers: [SurveyAnswer]
    /// Per respondent, ordered by `R_id`.
    public let respondents: [RespondentPreferences]
    public let contradictions: [Contradiction]
    /// Unreadable or invalid label files and repeated answers, with reasons.
    public let skipped: [SkippedFile]
    /// Valid label files that were read (before the rules).
    public let labelFilesRead: Int

    /// Applies the rules to decoded answers.
    public init(answers decoded: [SurveyAnswer], skipped: [SkippedFile] = [], labelFilesRead: Int? = nil) {
        struct Pair: Hashable { let respondent: Int; let split: Split; let image: ImageKey }
        let ordered = decoded.sorted { ($0.split, $0.labelFile) < ($1.split, $1.labelFile) }
        var groups: [Pair: [SurveyAnswer]] = [:]
        for answer in ordered { groups[Pair(respondent: answer.respondent, split: answer.split, image: answer.image), default: []].append(answer) }
        var dropped = Set<String>(), contradictions: [Contradiction] = [], skipped = skipped
        for (pair, group) in groups where group.count > 1 {
            if Set(group.map(\.liked)).count > 1 {
                contradictions.append(Contradiction(respondent: pair.respondent, split: pair.split,
                                                    image: group[0].imageFileName, labelFiles: group.map(\.labelFile)))
                for a in group { dropped.insert(a.labelFile) }
            } else {
                for a in group.dropFirst() {
                    dropped.insert(a.labelFile)
                    skipped.append(SkippedFile(path: "\(a.split.labelFolder)/\(a.labelFile)",
                                               reason: "repeats respondent \(a.respondent)'s answer in \(group[0].labelFile)"))
                }
            }
        }
        let kept = ordered.filter { !dropped.contains($0.labelFile) }
        var table: [Int: RespondentPreferences] = [:]
        for a in kept {
            var p = table[a.respondent] ?? RespondentPreferences(respondent: a.respondent)
            switch (a.split, a.liked) {
            case (.training, true): p.trainingLiked.append(a.imageFileName)
            case (.training, false): p.trainingDisliked.append(a.imageFileName)
            case (.validation, true): p.validationLiked.append(a.imageFileName)
            case (.validation, false): p.validationDisliked.append(a.imageFileName)
            }
            table[a.respondent] = p
        }
        self.answers = kept
        self.respondents = table.values.map { p in
            var p = p
            p.trainingLiked.sort(); p.trainingDisliked.sort(); p.validationLiked.sort(); p.validationDisliked.sort()
            return p
        }.sorted { $0.respondent < $1.respondent }
        self.contradictions = contradictions.sorted { ($0.respondent, $0.image) < ($1.respondent, $1.image) }
        self.skipped = skipped.sorted { $0.path < $1.path }
        self.labelFilesRead = labelFilesRead ?? decoded.count
    }

    /// The rules applied to the answers of every valid label of `labels` (their files were
    /// read and checked by ``LabelStatistics``: the same labels as mission 2-1 counts).
    public init(tree: KFashionTree, labels: LabelStatistics) {
        let answers = Split.allCases.flatMap { labels.answers[$0] ?? [] }
        self.init(answers: answers, skipped: labels.skipped, labelFilesRead: answers.count)
    }

    /// The `n` respondents with the most answers (ties by `R_id`); `n ≤ 0` gives all.
    public func top(_ n: Int) -> [RespondentPreferences] {
        let ranked = respondents.sorted { ($1.answerCount, $0.respondent) < ($0.answerCount, $1.respondent) }
        return n > 0 ? Array(ranked.prefix(n)) : ranked
    }
}

extension SkippedFile: Error {}
