import Synchronization

/// Winograd-transformed weights kept between inference passes.
///
/// Without a gradient tape (``withNoGrad(_:)``: evaluation, prediction, feature extraction)
/// a convolution's weights do not change from one batch to the next, yet transforming them
/// (U = G g Gᵀ, 16/9 or 36/9 of the weights written) costs as much as the convolution itself on
/// small images. Entries are keyed by the weight storage and its ``TensorStorage/version``
/// (bumped by every in-place write), so a stale transform is never used; an entry whose
/// weights are gone is dropped, and the whole cache is cleared past ``budget`` floats.
final class WinogradWeightCache: @unchecked Sendable {
    static let shared = WinogradWeightCache()
    /// Largest total of cached transforms, in floats (256 MiB; ResNet-18's are 74 MiB).
    static let budget = 64 << 20

    private struct Entry {
        weak var weights: TensorStorage?
        let version: UInt64
        let transformed: TensorStorage
    }
    private struct Key: Hashable {
        let weights: ObjectIdentifier
        let tile: WinogradTile
    }
    private let entries = Mutex<[Key: Entry]>([:])

    /// The transform of `weights` (O×C×3×3 in a storage of its own) for `tile`, computed once
    /// per version.
    func transformed(_ weights: TensorStorage, outChannels o: Int, inChannels c: Int,
                     tile: WinogradTile = .f2x2) -> TensorStorage {
        let key = Key(weights: ObjectIdentifier(weights), tile: tile)
        if let hit = entries.withLock({ list -> TensorStorage? in
            guard let e = list[key], e.weights === weights, e.version == weights.version else { return nil }
            return e.transformed
        }) { return hit }
        let u: TensorStorage
        switch tile {
        case .f2x2:
            u = TensorStorage(uninitializedCount: 16 * o * c)
            WinogradKernels.transformWeights(weights.pointer, outChannels: o, inChannels: c, u.pointer)
        case .f4x4:
            u = TensorStorage(uninitializedCount: 36 * o * c)
            WinogradF4Kernels.transformWeights(weights.pointer, outChannels: o, inChannels: c, u.pointer)
        }
        entries.withLock { list in
            list = list.filter { $0.value.weights != nil }
            if list.values.reduce(u.count, { $0 + $1.transformed.count }) > Self.budget { list.removeAll() }
            list[key] = Entry(weights: weights, version: weights.version, transformed: u)
        }
        return u
    }

    /// Forgets every transform (tests; memory pressure).
    func removeAll() { entries.withLock { $0.removeAll() } }
}
