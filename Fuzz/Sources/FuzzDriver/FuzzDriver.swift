import Foundation

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) private var currentTest: ((Data) -> Void)?

/// Hands the process to libFuzzer (linked with its no-main runtime, see the Makefile's `fuzz`),
/// which calls `test` with each input; exits with libFuzzer's status.
public func fuzz(_ test: @escaping (Data) -> Void) -> Never {
    currentTest = test
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(runDriver(&argc, &argv) { pointer, count in
        currentTest?(pointer.map { Data(bytes: $0, count: count) } ?? Data())
        return 0
    })
}
