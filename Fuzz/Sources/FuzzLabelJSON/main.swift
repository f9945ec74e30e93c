import Dataset
import Foundation

/// Any bytes as a K-Fashion label file: an answer or a `SurveyError`, never a trap.
/// libFuzzer drives this binary (linked with its no-main runtime, see Fuzz/Package.swift).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv) { pointer, count in
    let start = pointer ?? UnsafePointer(bitPattern: 1)!
    let label = try! LabelRecord(fileName: "W_00001_19_punk_W_000001.json")
    if let answer = try? SurveyAnswer(label: label, split: .training, json: Data(bytes: start, count: count)) {
        precondition(answer.respondent >= 0, "negative respondent accepted")
    }
    return 0
})
