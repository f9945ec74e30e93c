/// What identifies a photo across image and label files: prefix, id, period, style, gender.
///
/// Labels are joined to images on the whole key, never on the 5-digit id alone: ids repeat
/// across the `W` and `T` prefixes (`T_00004_90_hiphop_M` and `W_00004_50_ivy_M`).
/// The style is canonical, so `hippee` and `hippie` spellings of one photo still match.
public struct ImageKey: Hashable, Comparable, Sendable, Codable {
    /// `W` or `T` (the set's two photo sources).
    public let prefix: String
    /// The image id as written (leading zeros kept).
    public let id: String
    /// The period (`00`, `19`, `50`, …) as written.
    public let period: String
    /// Canonical style (see ``StyleAliases``).
    public let style: String
    /// `W` or `M`.
    public let gender: Gender

    /// A key from its parts (the style as given; callers pass the canonical spelling).
    public init(prefix: String, id: String, period: String, style: String, gender: Gender) {
        self.prefix = prefix; self.id = id; self.period = period
        self.style = StyleAliases.canonical(style); self.gender = gender
    }

    /// `{style}_{gender}`, the class name (31 classes in the real set).
    public var className: String { "\(style)_\(gender.rawValue)" }

    /// The stem with the canonical style: `W_01752_00_metrosexual_M`.
    public var canonicalStem: String { "\(prefix)_\(id)_\(period)_\(style)_\(gender.rawValue)" }

    /// The canonical stem of a photo however a user's file spells it — the stem as on disk
    /// (`T_01596_70_hippee_M`), the file name (`….jpg`, any case of the extension) or a path
    /// to it (`validation_image/T_01596_70_hippee_M.jpg`) all give `T_01596_70_hippie_M`.
    /// `nil` when the last path component is no K-Fashion photo name (`test/17`, `cat`): such a
    /// key is left as the caller has it. The one rule every join on photos uses.
    public static func canonicalStem(ofPhotoName name: String) -> String? {
        let last = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        let lower = last.lowercased()
        let fileName = lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") ? last : last + ".jpg"
        return (try? ImageRecord(fileName: fileName))?.key.canonicalStem
    }

    public static func < (a: ImageKey, b: ImageKey) -> Bool {
        (a.prefix, a.id, a.period, a.style, a.gender.rawValue) < (b.prefix, b.id, b.period, b.style, b.gender.rawValue)
    }
}

/// Why a file name was not taken as an image or label record.
public struct NameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file name that did not parse.
    public let name: String
    /// Why.
    public let reason: String
    public var description: String { "\(name): \(reason)" }
}

/// One photo: `{W|T}_{id}_{period}_{style}_{gender}.jpg` with a 5-digit id and a 2-digit period.
public struct ImageRecord: Hashable, Sendable, Codable {
    /// The file name as found (original spelling).
    public let fileName: String
    public let key: ImageKey

    /// Parses a photo's file name; a name that does not follow the pattern throws a ``NameError`` saying why.
    public init(fileName: String) throws {
        var copy = fileName
        let parsed = copy.withUTF8 { NameFields(bytes: $0) }
        guard let dot = parsed.extensionStart else { throw NameError(name: fileName, reason: "no extension (expected .jpg)") }
        let ext = parsed.lowercasedExtension
        guard ext == "jpg" || ext == "jpeg" else { throw NameError(name: fileName, reason: "extension .\(ext) (expected .jpg)") }
        _ = dot
        guard parsed.fields.count == 5 else {
            throw NameError(name: fileName, reason: "\(parsed.fields.count) underscore-separated parts (expected {W|T}_{id}_{period}_{style}_{gender})")
        }
        self.fileName = fileName
        self.key = try ImageRecord.key(parsed.fields, name: fileName)
    }

    static func key(_ parts: [NameFields.Field], name: String) throws -> ImageKey {
        guard parts[0].text == "W" || parts[0].text == "T" else { throw NameError(name: name, reason: "prefix '\(parts[0].text)' (expected W or T)") }
        guard parts[1].isNumber else { throw NameError(name: name, reason: "image id '\(parts[1].text)' is not a number") }
        guard parts[1].text.utf8.count == 5 else { throw NameError(name: name, reason: "image id '\(parts[1].text)' has \(parts[1].text.utf8.count) digits (expected 5)") }
        guard parts[2].isNumber else { throw NameError(name: name, reason: "period '\(parts[2].text)' is not a number") }
        guard parts[2].text.utf8.count == 2 else { throw NameError(name: name, reason: "period '\(parts[2].text)' has \(parts[2].text.utf8.count) digits (expected 2)") }
        guard parts[3].isWord else { throw NameError(name: name, reason: "style '\(parts[3].text)' is not a word") }
        guard let gender = Gender(rawValue: parts[4].text) else { throw NameError(name: name, reason: "gender '\(parts[4].text)' (expected W or M)") }
        return ImageKey(prefix: parts[0].text, id: parts[1].text, period: parts[2].text, style: parts[3].text, gender: gender)
    }
}

/// A file name cut at `_` up to its last `.`, read byte by byte (a label folder holds
/// ~211,000 names; `Character`-level parsing would dominate mission 2-1's time).
struct NameFields {
    struct Field {
        let text: String
        /// Non-empty and all ASCII digits.
        let isNumber: Bool
        /// Non-empty and all ASCII letters.
        let isWord: Bool
    }

    var fields: [Field] = []
    /// Index of the last `.` (nil when there is none).
    var extensionStart: Int?
    var lowercasedExtension = ""

    init(bytes: UnsafeBufferPointer<UInt8>) {
        var end = bytes.count
        if let dot = bytes.lastIndex(of: UInt8(ascii: ".")) {
            extensionStart = dot
            lowercasedExtension = String(decoding: UnsafeBufferPointer(rebasing: bytes[(dot + 1)...]), as: UTF8.self).lowercased()
            end = dot
        }
        fields.reserveCapacity(6)
        var start = 0
        var digits = true, letters = true
        for i in 0...end {
            if i == end || bytes[i] == UInt8(ascii: "_") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                fields.append(Field(text: text, isNumber: digits && i > start, isWord: letters && i > start))
                start = i + 1; digits = true; letters = true
            } else {
                let b = bytes[i]
                if b < 0x30 || b > 0x39 { digits = false }
                if !((b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)) { letters = false }
            }
        }
    }
}

/// One survey answer file: `{image stem}_{surveyID}.json` with a 6-digit survey id.
public struct LabelRecord: Hashable, Sendable, Codable {
    public let fileName: String
    /// The photo this label is about.
    public let key: ImageKey
    /// The survey id as written (`023425`).
    public let surveyID: String

    /// Parses a label's file name; throws a ``NameError`` saying why when it does not parse.
    public init(fileName: String) throws {
        var copy = fileName
        let parsed = copy.withUTF8 { NameFields(bytes: $0) }
        guard parsed.lowercasedExtension == "json" else { throw NameError(name: fileName, reason: "extension (expected .json)") }
        let parts = parsed.fields
        guard parts.count == 6 else {
            throw NameError(name: fileName, reason: "\(parts.count) underscore-separated parts (expected {W|T}_{id}_{period}_{style}_{gender}_{surveyID})")
        }
        guard parts[5].isNumber else { throw NameError(name: fileName, reason: "survey id '\(parts[5].text)' is not a number") }
        guard parts[5].text.utf8.count == 6 else {
            throw NameError(name: fileName, reason: "survey id '\(parts[5].text)' has \(parts[5].text.utf8.count) digits (expected 6)")
        }
        self.fileName = fileName
        self.key = try ImageRecord.key(Array(parts[0..<5]), name: fileName)
        self.surveyID = parts[5].text
    }

    init(fileName: String, key: ImageKey, surveyID: String) {
        self.fileName = fileName; self.key = key; self.surveyID = surveyID
    }

    /// The image name this label's own spelling points to: `W_03412_50_classic_W.jpg`.
    public var imageFileName: String {
        String(fileName.dropLast(5 + surveyID.count + 1)) + ".jpg"
    }
}

