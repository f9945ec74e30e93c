import Tensor

/// The paper's generalised few-shot protocol on a labelled training set: `minorityCount`
/// classes drawn at random (seeded) keep only `shots` (n_f) of their examples, drawn at random;
/// every other class keeps all of its own. Test sets stay whole and balanced.
public struct FewShotSplit: Codable, Equatable, Sendable {
    /// The classes reduced to `shots` examples, sorted.
    public let minorityClasses: [Int]
    public let shots: Int
    /// Indices into the training set that are kept, ascending.
    public let kept: [Int]

    /// - Parameters: `labels` of the training set (class indices below `classCount`).
    public init(labels: [Int], classCount: Int, minorityCount: Int = 5, shots: Int, seed: UInt64) {
        precondition(minorityCount <= classCount && shots > 0, "FewShotSplit: \(minorityCount) minority classes of \(classCount), \(shots) shots")
        var g = RandomGenerator(seed: seed)
        let minority = Array(g.permutation(classCount).prefix(minorityCount)).sorted()
        var kept: [Int] = []
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, l) in labels.enumerated() { byClass[l].append(i) }
        for c in 0..<classCount {
            if minority.contains(c) {
                let members = byClass[c]
                kept += g.permutation(members.count).prefix(shots).map { members[$0] }
            } else {
                kept += byClass[c]
            }
        }
        self.minorityClasses = minority; self.shots = shots; self.kept = kept.sorted()
    }
}
