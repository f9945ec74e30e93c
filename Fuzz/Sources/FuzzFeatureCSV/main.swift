import Foundation
import Recommender

/// Any bytes as a features CSV: a store or a `FeatureFileError`, never a trap.
/// libFuzzer drives this binary (linked with its no-main runtime, see Fuzz/Package.swift).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { pointer, count in
    let start = pointer ?? UnsafePointer(bitPattern: 1)!
    if let store = try? FeatureFile.parseCSV(Data(bytes: start, count: count), path: "fuzz.csv") {
        precondition(store.count >= 0 && store.dimension >= 0, "impossible store")
    }
    return 0
})
