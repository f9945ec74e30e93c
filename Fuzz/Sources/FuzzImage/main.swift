import Foundation
import Vision

/// Any bytes as an encoded photo (JPEG or PNG by signature): an image or an `ImageIOError`,
/// never a trap; pixel counts are bounded so a huge header cannot allocate gigabytes.
/// libFuzzer drives this binary (linked with its no-main runtime, see Fuzz/Package.swift).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { pointer, count in
    let start = pointer ?? UnsafePointer(bitPattern: 1)!
    let options = DecodingOptions(maximumPixels: 4_000_000)
    if let image = try? Image(encoded: Data(bytes: start, count: count), name: "fuzz", options: options) {
        precondition(image.pixels.count == image.width * image.height * image.channels, "image buffer and size disagree")
    }
    return 0
})
