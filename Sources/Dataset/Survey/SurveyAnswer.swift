import Foundation
import FashionBase

/// The parts of a K-Fashion label JSON that the missions use; every other field is ignored.
///
/// `{"imgName": …, "item": {"survey": {"Q5": 2, …}, …}, "user": {"R_id": 64391, …}}` —
/// `Q5` is the style preference (1 dislike, 2 like), `R_id` the respondent.
public struct SurveyLabelFile: Decodable, Sendable {
    public struct Item: Decodable, Sendable {
        public struct Survey: Decodable, Sendable {
            public let Q5: FlexibleInt?
        }
        public let survey: Survey?
    }
    public struct User: Decodable, Sendable {
        public let R_id: FlexibleInt?
    }
    public let imgName: String?
    public let item: Item?
    public let user: User?
}

/// An integer written as a JSON number (`64391`, or `64391.0` as Python's `json` would read
/// an integral float). A string such as `"2"` is refused: pandas would not count it as 2.
public struct FlexibleInt: Decodable, Sendable, Equatable {
    public let value: Int
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let n = try? container.decode(Int.self) { value = n; return }
        if let d = try? container.decode(Double.self), d.rounded() == d, abs(d) < 1e15 { value = Int(d); return }
        if let s = try? container.decode(String.self) {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(s.prefix(20))\" is a string, not an integer")
        }
        if let d = try? container.decode(Double.self) {
            if d.rounded() == d {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "an integer beyond ±10^15, larger than any survey uses")
            }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(d) is not an integer")
        }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
    }
}

/// One respondent's answer about one photo (mission 2-2).
public struct SurveyAnswer: Hashable, Codable, Sendable {
    public let split: Split
    /// The label file it came from.
    public let labelFile: String
    public let image: ImageKey
    /// The photo's file name as the label spells it (`W_03412_50_classic_W.jpg`).
    public let imageFileName: String
    /// `user.R_id`.
    public let respondent: Int
    /// `item.survey.Q5 == 2`.
    public let liked: Bool

    public init(split: Split, labelFile: String, image: ImageKey, imageFileName: String, respondent: Int, liked: Bool) {
        self.split = split; self.labelFile = labelFile; self.image = image
        self.imageFileName = imageFileName; self.respondent = respondent; self.liked = liked
    }

    /// Decodes one label file's bytes; a malformed file, a missing, non-integer or out-of-range
    /// `Q5`, or a missing, non-integer or negative `R_id` throws a ``SurveyError`` with the reason.
    public init(label: LabelRecord, split: Split, json: Data, decoder: JSONDecoder = JSONDecoder()) throws {
        let (q5, found) = try Self.fields(json: json, decoder: decoder)
        guard q5 == 1 || q5 == 2 else { throw SurveyError(reason: "item.survey.Q5 = \(q5), expected 1 (dislike) or 2 (like)") }
        guard let respondent = found else { throw SurveyError(reason: "missing user.R_id") }
        guard respondent >= 0 else { throw SurveyError(reason: "user.R_id = \(respondent), expected a non-negative integer") }
        self.init(split: split, labelFile: label.fileName, image: label.key, imageFileName: label.imageFileName,
                  respondent: respondent, liked: q5 == 2)
    }

    /// `item.survey.Q5` and `user.R_id`: by ``LabelFastScan`` for a plain document, by
    /// `JSONDecoder` (and its error wording) otherwise.
    static func fields(json: Data, decoder: JSONDecoder) throws -> (q5: Int, respondent: Int?) {
        if let fast = json.withUnsafeBytes(LabelFastScan.scan) { return fast }
        return try decodedFields(json: json, decoder: decoder)
    }

    /// The two readers apart, for the differential fuzzer and tests: the fast scan's answer
    /// (nil when it leaves the document to `JSONDecoder`) and `JSONDecoder`'s.
    @_spi(Testing) public static func readers(json: Data) -> (fast: (q5: Int, respondent: Int)?, decoded: (q5: Int, respondent: Int?)?) {
        (json.withUnsafeBytes(LabelFastScan.scan), try? decodedFields(json: json, decoder: JSONDecoder()))
    }

    /// `item.survey.Q5` and `user.R_id` by `JSONDecoder` alone.
    static func decodedFields(json: Data, decoder: JSONDecoder) throws -> (q5: Int, respondent: Int?) {
        // JSONDecoder keeps the first of two equal keys (Python the last), and lets a trailing
        // comma and invalid UTF-8 through: the strict check first.
        if let why = json.withUnsafeBytes(StrictJSON.problem) { throw SurveyError(reason: "malformed JSON (\(why))") }
        let file: SurveyLabelFile
        do {
            file = try decoder.decode(SurveyLabelFile.self, from: json)
        } catch let error as DecodingError {
            throw SurveyError(reason: "malformed JSON (\(Self.describe(error)))")
        }
        guard let q5 = file.item?.survey?.Q5?.value else { throw SurveyError(reason: "missing item.survey.Q5") }
        return (q5, file.user?.R_id?.value)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            let why = c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription
            return path.isEmpty ? why : "\(path): \(why)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// Why a label file's content was not used.
public struct SurveyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

extension SurveyAnswer {
    /// Reads and decodes the label files `labels` of `split` in `folder` on all cores; a file
    /// that cannot be read or whose content is not a valid answer is returned as skipped.
    public static func read(_ labels: [LabelRecord], split: Split, folder: URL) -> (answers: [SurveyAnswer], skipped: [SkippedFile]) {
        var results = [Result<SurveyAnswer, SkippedFile>?](repeating: nil, count: labels.count)
        let path = folder.path
        results.withUnsafeMutableBufferPointer { out in
            Threading.parallelRanges(labels.count, minimumGrain: 64) { range in
                let decoder = JSONDecoder()
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                for i in range {
                    let label = labels[i]
                    let relative = "\(split.labelFolder)/\(label.fileName)"
                    let data: Data
                    // Regular files only, opened non-blocking, at most 16 MB (ReadableFile).
                    switch ReadableFile.read(path + "/" + label.fileName, limit: ReadableFile.Limit.label, what: "a label file", buffer: &buffer) {
                    case .success(let d): data = d
                    case .failure(let why): out[i] = .failure(SkippedFile(path: relative, reason: why.reason)); continue
                    }
                    do {
                        out[i] = .success(try SurveyAnswer(label: label, split: split, json: data, decoder: decoder))
                    } catch {
                        out[i] = .failure(SkippedFile(path: relative, reason: "\(error)"))
                    }
                }
            }
        }
        var answers: [SurveyAnswer] = [], skipped: [SkippedFile] = []
        answers.reserveCapacity(labels.count)
        for r in results {
            switch r {
            case .success(let a)?: answers.append(a)
            case .failure(let s)?: skipped.append(s)
            case nil: break
            }
        }
        return (answers, skipped)
    }
}
