import ArgumentParser
import Dataset
import Foundation
import Tensor
import Vision

/// `--data DIR`: a K-Fashion tree in the real layout.
struct DataOptions: ParsableArguments {
    /// Root of the data set (training_image/, validation_image/, training_label/, validation_label/).
    @Option(name: .long, help: "K-Fashion root folder (the real layout; `fashion synth` makes one).")
    var data: String = "data/kfashion"

    /// Prepares the tree's photos at `size` px into `prepared` unless a current preparation of
    /// this tree is there, with a progress line; `recipe` (a checkpoint's
    /// ``CheckpointMetadata/preparation``) says how, the default flood fill otherwise. A folder
    /// prepared from another tree, or before the tree's photos changed, is prepared again in
    /// place; one of this tree at another size or recipe is refused with the reason (preparing
    /// it again would undo a choice made with `fashion prepare`). `anySize` accepts any size
    /// of this tree's photos — and any recipe unless `recipe` is given (for a checkpoint that
    /// does not record its preparation).
    func ensurePrepared(_ prepared: String, size: Int, recipe: String? = nil, anySize: Bool = false, for what: String = "the model") throws {
        let url = URL(fileURLWithPath: prepared)
        let preparer = recipe.flatMap { PhotoPreparer(recipe: $0, size: size) } ?? PhotoPreparer(size: size)
        let set = PreparedSet(tree: try tree(), output: url, preparer: preparer)
        let found = try set.mismatches()
        // The one check of features, evaluate and predict: a recipe the model records must match,
        // whatever the size (`anySize` relaxes only the size, for checkpoints that do not record it).
        let refused = found.first { mismatch in
            switch mismatch {
            case .otherSize: return !anySize
            case .otherRecipe: return !anySize || recipe != nil
            default: return false
            }
        }
        if let choice = refused, !found.contains(.missing) {
            throw ValidationError("\(prepared): \(choice), but \(what) needs photos prepared at \(size) px with `\(preparer.recipe)`; "
                                  + "give --prepared a folder prepared that way (or a new folder, prepared there)")
        }
        guard let why = found.first(where: \.isAboutTheData) else { return }
        print(why == .missing ? "preparing the photos at \(size) px into \(prepared)" : "\(prepared): \(why); preparing it again from \(data) at \(size) px")
        try OutputFolder.create(url, option: "--prepared")
        let bar = TerminalProgress(total: 1, label: "prepare: photos")
        _ = try set.run { bar.update($0, of: $1) }
        bar.finish()
    }

    func tree() throws -> KFashionTree {
        do { return try KFashionTree(root: URL(fileURLWithPath: data)) } catch {
            throw ValidationError("\(error)\nMake a look-alike set with: fashion synth --out \(data)")
        }
    }
}
