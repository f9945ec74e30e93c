// swift-tools-version:6.0
// libFuzzer targets for the suite's readers. Built by `make fuzz` with every module instrumented:
// swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
//   -Xcc -fsanitize=fuzzer-no-link,address   (see Docs/RELIABILITY.md)
import PackageDescription

let targets = ["FuzzSafetensors", "FuzzIDX", "FuzzFashionMNISTCSV", "FuzzLabelJSON", "FuzzFeatureCSV", "FuzzImage"]
let package = Package(
    name: "FashionStyleFuzz",
    dependencies: [.package(name: "FashionStyle", path: "..")],
    targets: [.target(name: "FuzzDriver")] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzDriver",
            .product(name: "Tensor", package: "FashionStyle"), .product(name: "Vision", package: "FashionStyle"),
            .product(name: "Dataset", package: "FashionStyle"), .product(name: "Recommender", package: "FashionStyle"),
        ])
    }
)
