import Dataset

/// The note a Fashion-MNIST command prints when `--data` holds something else in the same
/// layout: results would otherwise be named with Fashion-MNIST's classes without a word.
enum FashionMNISTDataNote {
    /// Nil when `set`, read from `path` as `split`, is that split of the published Fashion-MNIST
    /// (in any order, ``FashionMNIST/publishedSplit``); else a one-line note naming the file.
    static func note(for set: FashionMNIST, split: FashionMNIST.Split, path: String) -> String? {
        let published = set.publishedSplit
        if published == split { return nil }
        let name = split == .train ? "training" : "test"
        if let other = published {
            return "note: \(path) holds Fashion-MNIST's \(other == .train ? "training" : "test") set, read here as its \(name) set"
        }
        let size = split == .train ? "60,000" : "10,000"
        return "note: \(path) (\(set.count) images) is not Fashion-MNIST's published \(name) set (its \(size) images and labels, "
            + "in any order): another set in its layout (MNIST, KMNIST, …), a subset or an edited copy — the classes are named as Fashion-MNIST's"
    }

    /// Reads `split` from `directory` and prints its note, if any, on standard error.
    static func check(split: FashionMNIST.Split, directory: String, path: String) throws {
        report(try FashionMNIST(split: split, directory: directory), split: split, path: path)
    }

    /// Prints the note of `set`, already read from `path` as `split`, if any, on standard error.
    static func report(_ set: FashionMNIST, split: FashionMNIST.Split, path: String) {
        if let line = note(for: set, split: split, path: path) { printError(line + "\n") }
    }
}
