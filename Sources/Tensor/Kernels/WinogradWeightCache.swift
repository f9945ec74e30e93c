import CBFloat16
import Synchronization

/// Values rounded to bfloat16 that outlive the call that made them (a cached transform's).
final class BFloat16Storage: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<UInt16>
    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
    }
    deinit { pointer.deallocate() }
}

/// Winograd-transformed weights kept between inference passes.
///
/// Without a gradient tape (``withNoGrad(_:)``: evaluation, prediction, feature extraction)
/// a convolution's weights do not change from one batch to the next, yet transforming them
/// (U = G g Gᵀ, 16/9 or 36/9 of the weights written) costs as much as the convolution itself on
/// small images. Entries are keyed by the weight storage and its ``TensorStorage/version``
/// (bumped by every in-place write), so a stale transform is never used; an entry whose
/// weights are gone is dropped, and the whole cache is cleared past ``budget`` floats. In bf16
/// an entry also keeps its transform rounded to bf16 (``rounded(_:outChannels:inChannels:)``), as
/// the convolution would otherwise round it again every batch.
final class WinogradWeightCache: @unchecked Sendable {
    static let shared = WinogradWeightCache()
    /// Largest total of cached transforms, in floats (256 MiB; ResNet-18's are 74 MiB).
    static let budget = 64 << 20

    private struct Entry {
        weak var weights: TensorStorage?
        let version: UInt64
        let transformed: TensorStorage
        var rounded: BFloat16Storage?
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
            list[key] = Entry(weights: weights, version: weights.version, transformed: u, rounded: nil)
        }
        return u
    }

    /// The F(2×2) transform of `weights` and its values rounded to bf16 in the same layout
    /// (16 × O × C: what the convolution rounds on each call, by the same function, so the same
    /// bits), both computed once per version of the weights.
    func rounded(_ weights: TensorStorage, outChannels o: Int, inChannels c: Int) -> (TensorStorage, BFloat16Storage) {
        let u = transformed(weights, outChannels: o, inChannels: c, tile: .f2x2)
        let key = Key(weights: ObjectIdentifier(weights), tile: .f2x2)
        if let hit = entries.withLock({ list -> BFloat16Storage? in
            guard let e = list[key], e.transformed === u else { return nil }
            return e.rounded
        }) { return (u, hit) }
        let r = BFloat16Storage(count: u.count)
        fs_bf16_round_matrix(u.pointer, c, 0, 16 * o, c, r.pointer)
        entries.withLock { list in
            if var e = list[key], e.transformed === u { e.rounded = r; list[key] = e }
        }
        return (u, r)
    }

    /// Forgets every transform (tests; memory pressure).
    func removeAll() { entries.withLock { $0.removeAll() } }
}
