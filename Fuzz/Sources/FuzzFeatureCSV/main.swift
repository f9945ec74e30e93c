import FuzzDriver
import Recommender

/// Any bytes as a features CSV: a store or a `FeatureFileError`, never a trap.
fuzz { data in
    if let store = try? FeatureFile.parseCSV(data, path: "fuzz.csv") {
        precondition(store.count >= 0 && store.dimension >= 0, "impossible store")
    }
}
