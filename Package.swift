// swift-tools-version: 6.0
import PackageDescription

/// Layers (see Docs/ARCHITECTURE.md): FashionBase → Tensor, Vision → Dataset → Models → Recommender → FashionCLI.
/// A lower target never imports a higher one.
let package = Package(
    name: "FashionStyle",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "FashionBase", targets: ["FashionBase"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Vision", targets: ["Vision"]),
        .library(name: "Dataset", targets: ["Dataset"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Recommender", targets: ["Recommender"]),
        .library(name: "FashionMPI", targets: ["FashionMPI"]),
        .executable(name: "fashion", targets: ["FashionCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian, through system-library targets.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", path: "Sources/CLAPACKE",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG",
                       providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Open MPI's C API, its handle macros wrapped in static inline functions (shim.h).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),

        // libjpeg/libpng behind setjmp guards: their errors become return codes, never longjmp into Swift.
        .target(name: "CImageCodecs", dependencies: ["CJPEG", "CPNG"],
                linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]),

        // bfloat16 kernels (VDPBF16PS) behind a runtime CPU check, and their scalar emulation.
        .target(name: "CBFloat16"),

        // The layers.
        // What is not tensors: the seeded random generator, atomic files, JSON style, the thread pool.
        .target(name: "FashionBase"),
        .target(name: "Tensor", dependencies: ["FashionBase", "CBLAS", "CLAPACKE", "CBFloat16"]),
        .target(name: "Vision", dependencies: ["FashionBase", "CImageCodecs"]),
        .target(name: "Dataset", dependencies: ["FashionBase", "Tensor", "Vision", "CZlib"]),
        .target(name: "Models", dependencies: ["Tensor", "Vision", "Dataset"]),
        .target(name: "Recommender", dependencies: ["Tensor", "Dataset", "Models"]),
        // The Communicator over Open MPI: linked only by programs that run on several processes.
        .target(name: "FashionMPI", dependencies: ["FashionBase", "CMPI"]),
        .executableTarget(name: "FashionCLI", dependencies: [
            "Tensor", "Vision", "Dataset", "Models", "Recommender", "FashionMPI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // One test target per layer (Swift Testing), and what they share.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CBFloat16"], resources: [.copy("Reference")]),
        .testTarget(name: "VisionTests", dependencies: ["TestSupport", "Vision"], resources: [.copy("Reference")]),
        .testTarget(name: "DatasetTests", dependencies: ["TestSupport", "Dataset", "CZlib"]),
        .testTarget(name: "ModelsTests", dependencies: ["TestSupport", "Models", "Dataset"], resources: [.copy("Reference")]),
        .testTarget(name: "RecommenderTests", dependencies: ["TestSupport", "Recommender", "Dataset", "Models"], resources: [.copy("Reference")]),
        // The CLI's presentation code (the report page and its plots).
        .testTarget(name: "FashionCLITests", dependencies: ["TestSupport", "FashionCLI", "Models", "Recommender",
                                                      .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ],
    swiftLanguageModes: [.v5]
)
