import Foundation
import Testing
@_spi(Testing) @testable import Dataset

/// The label files' fast scan answers only where `JSONDecoder` gives the same, and leaves
/// everything unusual to it.
@Suite struct LabelFastScanTests {
    static let plain = #"{"E_id": 1, "imgName": "W_00001_19_punk_W.jpg", "item": {"era": 1990, "survey": {"Q1": 5, "Q5": 2}}, "user": {"R_id": 51280, "r_gender": 1}}"#

    @Test func answersAPlainDocumentAsJSONDecoderDoes() throws {
        let (fast, decoded) = SurveyAnswer.readers(json: Data(Self.plain.utf8))
        let f = try #require(fast)
        #expect(f.q5 == 2 && f.respondent == 51280)
        #expect(decoded?.q5 == 2 && decoded?.respondent == 51280)
    }

    /// Documents the fast scan must answer (valid, plain) and ones it must leave to
    /// `JSONDecoder` (invalid, or valid but unusual); either way the answer is JSONDecoder's.
    @Test(arguments: [
        // answered
        (#"{"item":{"survey":{"Q5":1}},"user":{"R_id":0}}"#, true),
        (" \n{\"user\" : {\"R_id\" : 7 } , \"item\" : { \"x\" : [1, -2.5e-3, true, null, {\"Q5\": 9}], \"survey\": {\"Q5\": 2}}}\t", true),
        (#"{"item":{"survey":{"Q5":2,"Q6":"a\"b\\u00e9"}},"user":{"R_id":3},"imgName":"x\n"}"#.replacingOccurrences(of: "\n", with: "\\n"), true),
        // left to JSONDecoder
        (#"{"item":{"survey":{"Q5":2.0}},"user":{"R_id":3}}"#, false),
        (#"{"item":{"survey":{"Q5":"2"}},"user":{"R_id":3}}"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":{"R_id":-3}}"#, false),
        (#"{"item":{"survey":{"Q5":2,"Q5":1}},"user":{"R_id":3}}"#, false),
        (#"{"item":{"survey":{"Q\u0035":2}},"user":{"R_id":3}}"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":{"R_id":3},"imgName":5}"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":{"R_id":3}} x"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":{"R_id":3},}"#, false),
        (#"{"item":{"survey":{"Q5":02}},"user":{"R_id":3}}"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":{"R_id":1234567890123456}}"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":null}"#, false),
        (#"{"item":[],"user":{"R_id":3}}"#, false),
        (#"{"item":{"survey":{"Q5":2}},"user":{"R_id":3},"x":"\ud800"}"#, false),
        ("{\"item\":{\"survey\":{\"Q5\":2}},\"user\":{\"R_id\":3},\"x\":\"é\"}", false),
        ("[1]", false), ("", false), ("{", false),
    ])
    func fastScanAgreesWithJSONDecoder(_ text: String, answered: Bool) {
        let (fast, decoded) = SurveyAnswer.readers(json: Data(text.utf8))
        #expect((fast != nil) == answered, "\(text)")
        if let fast {
            #expect(decoded?.q5 == fast.q5 && decoded?.respondent == fast.respondent, "\(text)")
        }
    }

    @Test func deepNestingIsLeftToJSONDecoder() {
        let deep = #"{"item":{"survey":{"Q5":2}},"user":{"R_id":3},"x":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(SurveyAnswer.readers(json: Data(deep.utf8)).fast == nil)
    }
}
