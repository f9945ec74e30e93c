import Foundation
import FashionBase
import Vision

/// Writes a K-Fashion look-alike set: the real layout, names, label JSON schema and — at
/// scale 1 — exactly the seed's per-class image counts (``SeedClassCounts``).
///
/// Photos (3:4) show a figure whose garments depend on the class (`StyleLook`), off-centre
/// on a fairly plain backdrop. Respondents have latent tastes over what a photo shows
/// (brightness, pattern, fit, hat): a style's appeal is mostly the taste applied to the style's
/// typical look plus a small personal twist, so photos that look alike are liked alike. Each
/// answers ~8 photos, most respondents photos of one gender's styles, so preferences are
/// learnable from images. Like the real set it has names spelled `hippee`, `T_` prefixes
/// whose ids collide with `W_` ones, label files naming photos that do not exist, and one
/// respondent who both liked and disliked a photo. The same options give the same files.
public struct KFashionGenerator: Sendable {
    /// What to generate.
    public struct Options: Sendable {
        /// Seed of every random choice.
        public var seed: UInt64 = 42
        /// Multiplies every class count (each class keeps at least one photo per split).
        public var scale: Double = 1
        /// Photo width in pixels; height is 4/3 of it.
        public var imageWidth: Int = 120
        /// Respondents; `nil` is 1,500 × scale.
        public var respondents: Int? = nil
        /// Mean answers per respondent about existing photos.
        public var answersPerRespondent: Int = 8
        /// Label files about photos that are not in the set; `nil` is three per valid label.
        public var orphanLabels: Int? = nil
        /// JPEG quality of the photos.
        public var jpegQuality: Int = 90
        /// Share of hippie photos whose names spell it `hippee`.
        public var hippeeShare: Double = 0.3
        /// Share of photos with the `T_` prefix (a third of those reuse a `W_` id).
        public var tPrefixShare: Double = 0.12
        public init() {}
    }

    /// What was written.
    public struct Summary: Codable, Sendable {
        /// Photos written per split.
        public var trainingImages = 0, validationImages = 0
        /// Label files about a photo of the set, and about none.
        public var validLabels = 0, orphanLabels = 0
        /// Respondents who answered.
        public var respondents = 0
        /// The label files of the planted contradiction.
        public var contradiction: [String] = []
        /// Beside the tree: every label's true probability of a like (``truthFile(of:)``).
        public var truth: String = ""
        /// Wall time.
        public var seconds = 0.0
    }

    /// What it generates.
    public let options: Options
    /// A generator of `options`.
    public init(options: Options = Options()) { self.options = options }

    struct PlannedImage {
        let split: Split
        let key: ImageKey
        let fileName: String
    }

    struct PlannedLabel {
        let split: Split
        let fileName: String
        let imageName: String
        let key: ImageKey
        let respondent: Int
        let respondentGender: Int
        let liked: Bool
        let utility: Float
        let eid: Int
        /// The probability that this answer is a like under the taste model (what the answer
        /// was drawn from; 0.5 for a label about no photo of the set).
        var probability = 0.5
    }

    /// Generates the set under `root` (created if needed). Refuses a root whose K-Fashion folders
    /// already hold files unless `overwrite`, which deletes those four folders first.
    /// `progress(done, total)` is called from worker threads as files are written.
    public func generate(into root: URL, overwrite: Bool = false,
                         progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Summary {
        let start = Date()
        let fm = FileManager.default
        for split in Split.allCases {
            for folder in [split.imageFolder, split.labelFolder] {
                let url = root.appendingPathComponent(folder)
                var isFolder: ObjCBool = false
                if fm.fileExists(atPath: url.path, isDirectory: &isFolder) {
                    if !isFolder.boolValue {
                        throw DatasetError.unreadableFolder(path: url.path, reason: "a file where the set's folder goes; move it or choose another output folder")
                    }
                    if overwrite { try fm.removeItem(at: url) } else if !(try fm.contentsOfDirectory(atPath: url.path)).isEmpty {
                        throw DatasetError.occupiedFolder(path: url.path, remedy: "the output folder holds a set already — pass --overwrite to replace it, or choose another folder")
                    }
                }
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
            }
        }
        var rng = RandomGenerator(seed: options.seed)
        let images = planImages(&rng)
        let attributes = try writeImages(images, root: root, progress: progress, labelCount: 0)
        var (labels, contradiction, respondentCount) = planAnswers(images, attributes: attributes, &rng)
        let validCount = labels.count
        labels += planOrphans(images, count: options.orphanLabels ?? 3 * validCount, firstEID: labels.count, &rng)
        try writeLabels(labels, root: root, progress: progress, before: images.count)
        try writeTruth(labels, validCount: validCount, to: Self.truthFile(of: root))

        var summary = Summary()
        summary.truth = Self.truthFile(of: root).path
        summary.trainingImages = images.filter { $0.split == .training }.count
        summary.validationImages = images.count - summary.trainingImages
        summary.validLabels = validCount
        summary.orphanLabels = labels.count - validCount
        summary.respondents = respondentCount
        summary.contradiction = contradiction
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    // MARK: Photos

    func planImages(_ rng: inout RandomGenerator) -> [PlannedImage] {
        let periods = ["00", "10", "19", "50", "60", "70", "80", "90"]
        var usedStems = Set<String>(), usedW: [String] = [], usedIDs = Set<String>()
        var planned: [PlannedImage] = []
        for split in Split.allCases {
            let counts = SeedClassCounts.counts(split)
            for (className, seedCount) in counts.sorted(by: { $0.key < $1.key }) {
                let n = max(1, Int((Double(seedCount) * options.scale).rounded()))
                let parts = className.split(separator: "_")
                let style = String(parts[0]), gender: Gender = parts[1] == "M" ? .men : .women
                for _ in 0..<n {
                    while true {
                        let isT = Double(rng.uniform()) < options.tPrefixShare
                        var id: String
                        if isT && !usedW.isEmpty && rng.uniform() < 0.33 {
                            id = usedW[rng.int(below: usedW.count)]   // an id that also exists with W_
                        } else {
                            id = String(format: "%05d", rng.int(below: 80_000))
                            if !isT && usedIDs.contains(id) { continue }
                        }
                        let spelled = style == "hippie" && Double(rng.uniform()) < options.hippeeShare ? "hippee" : style
                        let prefix = isT ? "T" : "W"
                        let period = periods[rng.int(below: periods.count)]
                        let stem = "\(prefix)_\(id)_\(period)_\(style)_\(gender.rawValue)"
                        guard !usedStems.contains(stem) else { continue }
                        usedStems.insert(stem)
                        if !isT { usedW.append(id) }
                        usedIDs.insert(id)
                        let key = ImageKey(prefix: prefix, id: id, period: period, style: style, gender: gender)
                        planned.append(PlannedImage(split: split, key: key,
                                                    fileName: "\(prefix)_\(id)_\(period)_\(spelled)_\(gender.rawValue).jpg"))
                        break
                    }
                }
            }
        }
        return planned
    }

    func writeImages(_ images: [PlannedImage], root: URL, progress: (@Sendable (Int, Int) -> Void)?, labelCount: Int) throws -> [FigureRenderer.Attributes] {
        let width = options.imageWidth, height = (options.imageWidth * 4 + 2) / 3
        let looks = Dictionary(uniqueKeysWithValues: Set(images.map(\.key.className)).map { ($0, StyleLook(className: $0)) })
        var attributes = [FigureRenderer.Attributes?](repeating: nil, count: images.count)
        var failures = [String?](repeating: nil, count: images.count)
        let counter = ProgressCounter()
        attributes.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { failed in
                Threading.parallelFor(images.count, minimumGrain: 16) { i in
                    let image = images[i]
                    var rng = RandomGenerator(seed: options.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i) &+ 1)
                    let (picture, attrs) = FigureRenderer.render(look: looks[image.key.className] ?? StyleLook(className: image.key.className), women: image.key.gender == .women,
                                                                 width: width, height: height, rng: &rng)
                    out[i] = attrs
                    do {
                        try picture.write(to: root.appendingPathComponent(image.split.imageFolder).appendingPathComponent(image.fileName),
                                          jpegQuality: options.jpegQuality)
                    } catch { failed[i] = "\(error)" }
                    progress?(counter.increment(), images.count)
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw DatasetError.unreadableFolder(path: root.path, reason: failure) }
        return attributes.compactMap { $0 }  // parallelFor above filled every slot
    }

    // MARK: Respondents and labels

    func planAnswers(_ images: [PlannedImage], attributes: [FigureRenderer.Attributes],
                     _ rng: inout RandomGenerator) -> ([PlannedLabel], [String], Int) {
        let respondentCount = options.respondents ?? max(10, Int((1500 * options.scale).rounded()))
        let classes = Array(Set(images.map(\.key.className))).sorted()
        // A class's look: the mean visual attributes of its photos. Tastes are tied to it, so
        // photos that look alike are liked alike (what item-based CF over image features needs).
        var look: [String: [Float]] = [:], lookCount: [String: Float] = [:]
        for (i, image) in images.enumerated() {
            let c = image.key.className
            look[c] = zip(look[c] ?? [0, 0, 0, 0], attributes[i].vector).map(+)
            lookCount[c, default: 0] += 1
        }
        for c in classes { look[c] = look[c, default: [0, 0, 0, 0]].map { $0 / lookCount[c, default: 1] } }
        func pool(_ split: Split, _ gender: Gender?) -> [Int] {
            images.indices.filter { images[$0].split == split && (gender == nil || images[$0].key.gender == gender) }
        }
        let pools: [Split: [Gender?: [Int]]] = Dictionary(uniqueKeysWithValues: Split.allCases.map { split in
            (split, [nil: pool(split, nil), .women: pool(split, .women), .men: pool(split, .men)])
        })
        var ids = Set<Int>()
        var labels: [PlannedLabel] = []
        var contradiction: [String] = []
        for _ in 0..<respondentCount {
            var rid = 0
            repeat { rid = 1 + rng.int(below: 99_999) } while ids.contains(rid)
            ids.insert(rid)
            let gender = 1 + rng.int(below: 2)
            let visualTaste = (0..<4).map { _ in rng.normal() }
            var styleTaste: [String: Float] = [:]
            for c in classes {
                let shared = zip(visualTaste, look[c, default: [0, 0, 0, 0]]).map(*).reduce(0, +)
                styleTaste[c] = 1.2 * shared + 0.5 * rng.normal()
            }
            let bias = rng.normal(mean: 0.1, std: 0.4)
            let count = max(2, options.answersPerRespondent - 5 + rng.int(below: 11))
            let validationCount = max(1, Int((Double(count) * 0.2).rounded()))
            // Most respondents are shown photos of one gender's styles (r_gender 1 → men's, 2 → women's),
            // most of them from a few styles of a survey session.
            let shown: Gender? = rng.uniform() < 0.8 ? (gender == 1 ? .men : .women) : nil
            let offered = shown.map { g in classes.filter { $0.hasSuffix("_" + g.rawValue) } } ?? classes
            let sessionClasses = Set((0..<3).map { _ in offered[rng.int(below: offered.count)] })
            var chosen = Set<Int>()
            for k in 0..<count {
                let split: Split = k < validationCount ? .validation : .training
                let ofShown = pools[split]?[shown] ?? []
                var candidates = ofShown.isEmpty ? (pools[split]?[nil] ?? []) : ofShown
                if rng.uniform() < 0.6 {
                    let session = candidates.filter { sessionClasses.contains(images[$0].key.className) }
                    if !session.isEmpty { candidates = session }
                }
                guard !candidates.isEmpty else { continue }
                var index = 0
                repeat { index = candidates[rng.int(below: candidates.count)] } while chosen.contains(index) && chosen.count < candidates.count
                chosen.insert(index)
            }
            for index in chosen.sorted() {
                let image = images[index]
                let a = attributes[index].vector
                var u = styleTaste[image.key.className, default: 0] + bias + rng.normal(mean: 0, std: 0.45)
                var mean = Double(styleTaste[image.key.className, default: 0] + bias)
                for j in 0..<4 { u += 0.4 * visualTaste[j] * a[j]; mean += Double(0.4 * visualTaste[j] * a[j]) }
                var label = PlannedLabel(split: image.split, fileName: "", imageName: image.fileName, key: image.key,
                                         respondent: rid, respondentGender: gender, liked: u > 0, utility: u, eid: 0)
                label.probability = 0.5 * erfc(-mean / (0.45 * 2.0.squareRoot()))   // P(mean + N(0, 0.45²) > 0)
                labels.append(label)
            }
        }
        // The organisers' known case: one respondent both liked and disliked one photo.
        let twin = labels.firstIndex { $0.split == .training }
        if let i = twin {
            let l = labels[i]
            var flipped = PlannedLabel(split: l.split, fileName: "", imageName: l.imageName, key: l.key, respondent: l.respondent,
                                       respondentGender: l.respondentGender, liked: !l.liked, utility: -l.utility, eid: 0)
            flipped.probability = 1 - l.probability   // planted: the answer turned round
            labels.append(flipped)
        }
        let named = nameLabels(labels, firstEID: 0, &rng)
        if let i = twin { contradiction = [named[i].fileName, named[named.count - 1].fileName] }
        return (named, contradiction, respondentCount)
    }

    func planOrphans(_ images: [PlannedImage], count: Int, firstEID: Int, _ rng: inout RandomGenerator) -> [PlannedLabel] {
        let existing = Set(images.map(\.key))
        let classes = Array(Set(images.map(\.key.className))).sorted()
        let periods = ["00", "10", "19", "50", "60", "70", "80", "90"]
        var labels: [PlannedLabel] = []
        labels.reserveCapacity(count)
        while labels.count < count {
            let split: Split = rng.uniform() < 0.85 ? .training : .validation
            let className = classes[rng.int(below: classes.count)]
            let parts = className.split(separator: "_")
            let gender: Gender = parts[1] == "M" ? .men : .women
            var prefix = rng.uniform() < 0.88 ? "W" : "T"
            var id = String(format: "%05d", rng.int(below: 80_000))
            if rng.uniform() < 0.3, let twin = images.randomElement(using: &rng) {
                // Same 5-digit id as a real photo, other prefix: only a full-stem join rejects it.
                id = twin.key.id
                prefix = twin.key.prefix == "W" ? "T" : "W"
            }
            let key = ImageKey(prefix: prefix, id: id, period: periods[rng.int(below: periods.count)], style: String(parts[0]), gender: gender)
            if existing.contains(key) { continue }
            let name = "\(key.canonicalStem).jpg"
            let u = rng.normal()
            labels.append(PlannedLabel(split: split, fileName: "", imageName: name, key: key, respondent: 1 + rng.int(below: 99_999),
                                       respondentGender: 1 + rng.int(below: 2), liked: u > 0, utility: u, eid: 0))
        }
        return nameLabels(labels, firstEID: firstEID, &rng)
    }

    /// Gives each label a unique 6-digit survey id and E_id, and its file name.
    func nameLabels(_ labels: [PlannedLabel], firstEID: Int, _ rng: inout RandomGenerator) -> [PlannedLabel] {
        labels.enumerated().map { i, l in
            let survey = String(format: "%06d", (firstEID + i + 1) &* 7919 % 1_000_000)
            let stem = l.imageName.dropLast(4)
            var named = PlannedLabel(split: l.split, fileName: "\(stem)_\(survey).json", imageName: l.imageName, key: l.key,
                                     respondent: l.respondent, respondentGender: l.respondentGender, liked: l.liked,
                                     utility: l.utility, eid: 100_000 + firstEID + i)
            named.probability = l.probability
            return named
        }
    }

    /// `ROOT.truth.csv` beside the tree `ROOT`: what a generated set knows that a real one
    /// does not — each answer's true probability of a like. No command reads it as input; it
    /// gives the best accuracy any method could reach (Tools/bayes_ceiling.py).
    public static func truthFile(of root: URL) -> URL {
        let root = root.standardizedFileURL
        return root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + ".truth.csv")
    }

    /// One row a label file: split, label file, respondent, photo, whether the photo is in the
    /// set, the answer, and its probability (tidy CSV, written whole).
    func writeTruth(_ labels: [PlannedLabel], validCount: Int, to url: URL) throws {
        var csv = "split,label_file,respondent,image,photo_exists,liked,probability\n"
        for (i, l) in labels.enumerated() {
            csv += "\(l.split.rawValue),\(l.fileName),\(l.respondent),\(l.imageName),\(i < validCount),\(l.liked),\(String(format: "%.6f", l.probability))\n"
        }
        try AtomicFile.write(Data(csv.utf8), to: url)
    }

    func writeLabels(_ labels: [PlannedLabel], root: URL, progress: (@Sendable (Int, Int) -> Void)?, before: Int) throws {
        var failures = [String?](repeating: nil, count: labels.count)
        let counter = ProgressCounter(start: before)
        let total = before + labels.count
        failures.withUnsafeMutableBufferPointer { failed in
            let blocks = (labels.count + 63) / 64
            Threading.parallelFor(blocks) { b in
                let range = (b * 64)..<min(labels.count, b * 64 + 64)
                for i in range {
                    let l = labels[i]
                    let url = root.appendingPathComponent(l.split.labelFolder).appendingPathComponent(l.fileName)
                    do { try AtomicFile.write(Data(Self.json(l).utf8), to: url, durable: false) } catch { failed[i] = "\(url.path): \(error)" }
                }
                progress?(counter.add(range.count), total)
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw DatasetError.unreadableFolder(path: root.path, reason: failure) }
    }

    /// A label JSON with the real set's fields; survey answers besides Q5 are derived
    /// deterministically from the label so the file does not depend on thread timing.
    static func json(_ l: PlannedLabel) -> String {
        var g = RandomGenerator(seed: UInt64(l.eid) &* 0x2545_F491_4F6C_DD1D)
        let era = ["00": 2000, "10": 2010, "19": 2019][l.key.period] ?? 1900 + (Int(l.key.period) ?? 0)
        let spelled = l.imageName.split(separator: "_")[3]
        let q1 = min(5, max(1, 3 + Int((l.utility * 1.5).rounded())))
        var survey = "\"Q1\": \(q1), \"Q2\": \(1 + g.int(below: 3)), \"Q3\": \(1 + g.int(below: 5))"
        for q in 411...414 { survey += ", \"Q\(q)\": \(g.int(below: 2))" }
        for q in 4201...4216 { survey += ", \"Q\(q)\": \(g.uniform() < 0.8 ? 0 : 1 + g.int(below: 10))" }
        survey += ", \"Q5\": \(l.liked ? 2 : 1)"
        return """
        {
          "E_id": \(l.eid),
          "imgName": "\(l.imageName)",
          "item": {
            "imgName": "\(l.imageName)",
            "era": \(era),
            "style": "\(spelled)",
            "gender": "\(l.key.gender.rawValue)",
            "survey": {\(survey)}
          },
          "user": {
            "R_id": \(l.respondent),
            "r_gender": \(l.respondentGender)
          }
        }

        """
    }
}
