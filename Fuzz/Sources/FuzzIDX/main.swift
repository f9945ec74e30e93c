import Foundation
import Dataset

/// Any bytes as an IDX file: a value or an `IDXError`, never a trap.
/// libFuzzer drives this binary (linked with its no-main runtime, see Fuzz/Package.swift).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { pointer, count in
    let start = pointer ?? UnsafePointer(bitPattern: 1)!
    if let f = try? IDXFile(data: Array(UnsafeBufferPointer(start: start, count: count))) {
        precondition(f.dimensions.reduce(1, *) == f.bytes.count, "IDX: dimensions and bytes disagree")
    }
    return 0
})
