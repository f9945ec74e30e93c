import Foundation
import Tensor

/// Any bytes as a safetensors file: a value or a `FormatError`, never a trap.
/// libFuzzer drives this binary (linked with its no-main runtime, see Fuzz/Package.swift).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { pointer, count in
    let start = pointer ?? UnsafePointer(bitPattern: 1)!
    let data = Data(bytes: start, count: count)
    if let contents = try? Safetensors.decode(data, path: "fuzz") {
        // What decodes must re-encode and decode to the same tensors.
        if let again = try? Safetensors.decode(Safetensors.encode(contents)) {
            precondition(again.state.keys == contents.state.keys, "safetensors round trip changed the keys")
        }
    }
    return 0
})
