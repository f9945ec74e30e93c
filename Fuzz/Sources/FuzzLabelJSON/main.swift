import FuzzDriver
import Dataset

/// Any bytes as a K-Fashion label file: an answer or a `SurveyError`, never a trap.
let label = try! LabelRecord(fileName: "W_00001_19_punk_W_000001.json") // trap-ok: a fixed, valid name
fuzz { data in
    if let answer = try? SurveyAnswer(label: label, split: .training, json: data) {
        precondition(answer.respondent >= 0, "negative respondent accepted")
    }
}
