import Foundation
import FashionBase

/// Mission 2-1's join without parsing every label: a label folder holds ~211,000 names and
/// only ~8 % name a photo in the set. Each name is checked byte by byte; its image stem is
/// looked up among the photos' stems in every spelling (``StyleAliases``), and only the
/// matches become ``LabelRecord``s. A name that fails the byte check is parsed the slow way
/// for its reason and reported.
struct LabelJoin {
    /// Stem as spelled (any alias) → the photo's key.
    let photos: [String: ImageKey]

    init(images: [ImageRecord]) {
        var spellings: [String: [String]] = [:]   // canonical style → every spelling
        for (alias, canonical) in StyleAliases.table { spellings[canonical, default: [canonical]].append(alias) }
        var photos: [String: ImageKey] = [:]
        photos.reserveCapacity(images.count * 2)
        for image in images {
            let k = image.key
            for style in spellings[k.style] ?? [k.style] {
                photos["\(k.prefix)_\(k.id)_\(k.period)_\(style)_\(k.gender.rawValue)"] = k
            }
        }
        self.photos = photos
    }

    struct Result {
        var raw = 0
        var valid: [LabelRecord] = []
        var answers: [SurveyAnswer] = []
        var skipped: [SkippedFile] = []
    }

    /// Scans one label folder.
    func scan(folder url: URL, relativeFolder: String) throws -> Result {
        var result = Result()
        try DirectoryListing.forEachName(in: url, leftOut: { name, reason in
            result.skipped.append(SkippedFile(path: "\(relativeFolder)/\(name)", reason: reason))
        }) { name in
            guard let stemEnd = Self.checkedStemEnd(name) else {
                let text = String(decoding: name, as: UTF8.self)
                do {
                    let record = try LabelRecord(fileName: text)   // the byte check is stricter only in rare cases
                    result.raw += 1
                    if photos[String(record.imageFileName.dropLast(4))] != nil { result.valid.append(record) }
                } catch let error as NameError {
                    result.skipped.append(SkippedFile(path: "\(relativeFolder)/\(text)", reason: error.reason))
                }
                return
            }
            result.raw += 1
            let stem = String(decoding: UnsafeBufferPointer(rebasing: name[0..<stemEnd]), as: UTF8.self)
            guard let key = photos[stem] else { return }
            let fileName = String(decoding: name, as: UTF8.self)
            let survey = String(decoding: UnsafeBufferPointer(rebasing: name[(stemEnd + 1)..<(name.count - 5)]), as: UTF8.self)
            result.valid.append(LabelRecord(fileName: fileName, key: key, surveyID: survey))
        }
        result.valid.sort { $0.fileName < $1.fileName }
        result.skipped.sort { $0.path < $1.path }
        return result
    }

    /// The end of the image stem in a well-formed lower-case label name
    /// (`{W|T}_{5 digits}_{2 digits}_{letters}_{W|M}_{6 digits}.json`), or nil.
    static func checkedStemEnd(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = b.count
        guard n > 5, b[n - 5] == UInt8(ascii: "."), b[n - 4] == UInt8(ascii: "j"), b[n - 3] == UInt8(ascii: "s"),
              b[n - 2] == UInt8(ascii: "o"), b[n - 1] == UInt8(ascii: "n") else { return nil }
        guard b[0] == UInt8(ascii: "W") || b[0] == UInt8(ascii: "T"), b[1] == UInt8(ascii: "_") else { return nil }
        var i = 2
        func digits(_ count: Int) -> Bool {
            let start = i
            while i < n - 5, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - start == count
        }
        guard digits(5), b[i] == UInt8(ascii: "_") else { return nil }
        i += 1
        guard digits(2), b[i] == UInt8(ascii: "_") else { return nil }
        i += 1
        let styleStart = i
        while i < n - 5, b[i] >= 0x61, b[i] <= 0x7A { i += 1 }
        guard i > styleStart, b[i] == UInt8(ascii: "_"), i + 2 < n - 5 else { return nil }
        i += 1
        guard b[i] == UInt8(ascii: "W") || b[i] == UInt8(ascii: "M"), b[i + 1] == UInt8(ascii: "_") else { return nil }
        let stemEnd = i + 1
        i += 2
        guard digits(6), i == n - 5 else { return nil }
        return stemEnd
    }
}
