import FuzzDriver
@_spi(Testing) import Dataset

/// Any bytes as a K-Fashion label file: an answer or a `SurveyError`, never a trap; and where
/// the fast scan answers, `JSONDecoder` gives the same fields; neither accepts invalid UTF-8, and
/// the seeds hold duplicate keys and trailing commas (both refused) for the fuzzer to vary.
let label = try! LabelRecord(fileName: "W_00001_19_punk_W_000001.json") // trap-ok: a fixed, valid name
fuzz { data in
    if let answer = try? SurveyAnswer(label: label, split: .training, json: data) {
        precondition(answer.respondent >= 0, "negative respondent accepted")
    }
    let (fast, decoded) = SurveyAnswer.readers(json: data)
    // What either reader accepts is valid UTF-8 (a byte-order mark allowed), as Python requires.
    if fast != nil || decoded != nil {
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        precondition(String(validating: body, as: UTF8.self) != nil, "invalid UTF-8 accepted")
    }
    if let fast {
        precondition(decoded?.q5 == fast.q5 && decoded?.respondent == fast.respondent,
                     "fast scan \(fast) but JSONDecoder \(String(describing: decoded))")
    }
}
