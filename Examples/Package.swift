// swift-tools-version: 6.0
import PackageDescription

/// Another package using the suite's libraries by path, each on its own — what a user's
/// `Package.swift` looks like (from a clone: `.package(path: "…/FashionStyle")`; from git:
/// `.package(url: "<repository URL>", branch: "main")`, the package's name is its folder's).
/// Built and run by `make examples` (part of `make test`).
let package = Package(
    name: "FashionStyleExamples",
    dependencies: [.package(name: "FashionStyle", path: "..")],
    targets: [
        // The README's first snippet, verbatim: one ResNet-18 training step.
        .executableTarget(name: "TrainingStep", dependencies: [
            .product(name: "Tensor", package: "FashionStyle"), .product(name: "Models", package: "FashionStyle"),
        ]),
        // Tensor alone: a linear classifier trained with autograd and Adam.
        .executableTarget(name: "TensorOnly", dependencies: [.product(name: "Tensor", package: "FashionStyle")]),
        // Dataset alone: a look-alike K-Fashion tree and its mission 1-1 table.
        .executableTarget(name: "DatasetOnly", dependencies: [.product(name: "Dataset", package: "FashionStyle")]),
        // Models + Vision: save a checkpoint, load it back, predict a photo's top classes.
        .executableTarget(name: "PredictFromCheckpoint", dependencies: [
            .product(name: "Models", package: "FashionStyle"), .product(name: "Vision", package: "FashionStyle"),
            .product(name: "Tensor", package: "FashionStyle"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
