import Dataset
import Models

/// The photos' features as the learned model sees them: the store's vectors reduced by a
/// whitened PCA (fitted on every row of the store — photos, not answers, so no label is read),
/// and optionally each photo replaced by the centroid of its class (`{style}_{gender}` from
/// its name), which removes feature noise when taste follows the style.
///
/// Rows are the stems of ``stems`` in order; a stem the store lacks has row −1.
struct PhotoFeatureTable: Sendable {
    let stems: [String]
    let features: LogisticFactorization.Features
    private let rowOf: [String: Int]

    /// What a table is made of.
    struct Variant: Sendable, Hashable, Codable {
        /// PCA components kept (fewer when the store has fewer rows or values).
        var dimension: Int
        /// Each photo replaced by its class centroid.
        var centroids: Bool
    }

    /// Row of `stem`, or −1 when the store lacks it.
    func row(of stem: String) -> Int32 { Int32(rowOf[stem] ?? -1) }

    /// The PCA of `store` for the largest dimension asked, shared by every variant (a whitened
    /// component does not depend on how many others are kept).
    struct Basis: Sendable {
        let reduced: [Double]   // store.count × width, whitened
        let width: Int
        let store: FeatureStore
        /// The largest usable dimension: at most the store's width and its rows − 1 (a PCA of n
        /// rows has n − 1 components of non-zero variance); 0 for a store of one row.
        init(store: FeatureStore, largest: Int) throws {
            self.store = store
            let width = max(0, min(largest, store.dimension, store.count - 1))
            var reduced: [Double] = []
            if width > 0 {
                let pca = try PCA(fitting: store.raw, count: store.count, dimension: store.dimension, components: width, whiten: true)
                // Components of zero variance (constant features) are dropped: whitening cannot scale them.
                let kept = pca.explainedVariance.prefix { $0 > 1e-12 * max(pca.explainedVariance.first ?? 0, 1e-300) }.count
                let all = pca.transform(store.raw, count: store.count).map(Double.init)
                reduced = [Double](repeating: 0, count: store.count * kept)
                for i in 0..<store.count { for j in 0..<kept { reduced[i * kept + j] = all[i * width + j] } }
                self.width = kept
            } else {
                self.width = 0
            }
            self.reduced = reduced
        }
    }

    /// The table of `stems` for one variant of `basis`.
    init(stems: [String], basis: Basis, variant: Variant) {
        let d = min(variant.dimension, basis.width), w = basis.width, store = basis.store
        var values = [Double](repeating: 0, count: stems.count * d)
        var centroid: [String: [Double]] = [:]
        func className(_ stem: String) -> String? { (try? ImageRecord(fileName: stem + ".jpg"))?.key.className }
        if variant.centroids && d > 0 {
            var sums: [String: [Double]] = [:], counts: [String: Double] = [:]
            for (i, stem) in store.stems.enumerated() {
                guard let c = className(stem) else { continue }
                var s = sums[c] ?? [Double](repeating: 0, count: d)
                for j in 0..<d { s[j] += basis.reduced[i * w + j] }
                sums[c] = s; counts[c, default: 0] += 1
            }
            for (c, s) in sums { centroid[c] = s.map { $0 / counts[c, default: 1] } }
        }
        var rowOf: [String: Int] = [:], kept: [String] = []
        for stem in stems {
            guard let i = store.row(of: stem) else { continue }
            let r = kept.count
            rowOf[stem] = r; kept.append(stem)
            if let c = variant.centroids ? className(stem).flatMap({ centroid[$0] }) : nil {
                for j in 0..<d { values[r * d + j] = c[j] }
            } else {
                for j in 0..<d { values[r * d + j] = basis.reduced[i * w + j] }
            }
        }
        self.stems = kept
        self.rowOf = rowOf
        self.features = LogisticFactorization.Features(values: Array(values.prefix(kept.count * d)), dimension: d, count: kept.count)
    }
}
