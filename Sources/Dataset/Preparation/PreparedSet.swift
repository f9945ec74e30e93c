import Foundation
#if canImport(Glibc)
import Glibc
#endif
import FashionBase
import Vision

/// Mission 1-2 steps 1–3 over a whole K-Fashion tree: every photo of both splits prepared
/// (`PhotoPreparer`), the white-share IQR flags, the training mean/std.
///
/// Output folder: `training_image/` and `validation_image/` with the prepared photos under their
/// original names (JPEG, quality 95), `manifest.csv` (one row per prepared photo: white share,
/// subject box, channel mean/std), `white_share.csv` (`split,file,white_share,flagged`),
/// `normalization.json` (training mean/std both ways), `skipped.csv` (file, reason) and
/// `preparation.json` (``Provenance``: the tree, its photos' fingerprint, the size and recipe). Every
/// file is written atomically; a re-run reuses a prepared photo only when the manifest lists
/// it with the same source (size, modification time) and options and the output is a whole JPEG.
///
/// A run killed part-way loses nothing it finished: each photo's manifest row is appended to
/// `.manifest.journal` once the photo is in place, and the next run reuses those rows as it
/// would the manifest's (a torn last row is ignored); the journal goes once `manifest.csv` is.
public struct PreparedSet: Sendable {
    /// The raw data set.
    public let tree: KFashionTree
    /// The prepared folder.
    public let output: URL
    /// How each photo is prepared.
    public let preparer: PhotoPreparer

    public init(tree: KFashionTree, output: URL, preparer: PhotoPreparer) {
        self.tree = tree; self.output = output; self.preparer = preparer
    }

    /// One prepared photo's figures (a manifest row).
    public struct Entry: Codable, Equatable, Sendable {
        /// The photo's split.
        public var split: Split
        /// The photo's file name.
        public var file: String
        /// Share of white pixels after background removal.
        public var whiteShare: Double
        /// The foreground's bounding box (nil: none found).
        public var box: ForegroundMask.Box?
        /// The prepared photo's channel statistics.
        public var stats: ChannelStatistics
        public var size: Int
        /// The source photo's byte size and modification time, and the preparation options'
        /// signature, when it was prepared: a re-run reuses the output only if all still match.
        public var source: String = ""
        public var options: String = ""
    }

    /// `bytes:mtime-ns` of a file ("" when it cannot be read).
    static func sourceKey(_ url: URL) -> String {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return "" }
        return "\(info.st_size):\(Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))"
    }

    /// The preparation options as a short signature of their full description.
    var optionsKey: String { Self.signature(String(describing: preparer)) }

    /// A short signature of `text`: FNV-1a 64, in hexadecimal (what manifests and
    /// `preparation.json` store; not a cryptographic hash).
    static func signature(_ text: String) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(h, radix: 16)
    }

    /// `preparation.json`: where a prepared folder came from, so a command handed the folder
    /// with another tree or other options notices instead of using it silently.
    public struct Provenance: Codable, Equatable, Sendable {
        /// The K-Fashion root the photos were prepared from (absolute, symlinks resolved).
        public var tree: String
        /// ``PreparedSet/fingerprint(of:)`` of that tree's photos when they were prepared.
        public var fingerprint: String
        /// Side of the prepared squares, px.
        public var size: Int
        /// `PhotoPreparer.recipe` (background method and margin).
        public var recipe: String
    }

    /// A short signature of a tree's photos (`signature(_:)` over each photo's split, name, byte
    /// size and modification time, in order): changes when a photo is added, removed, renamed or rewritten.
    public static func fingerprint(of tree: KFashionTree) throws -> String {
        var lines = ""
        for split in Split.allCases {
            for record in try tree.images(split).records {
                lines += "\(split.rawValue)/\(record.fileName):\(sourceKey(tree.imageFolder(split).appendingPathComponent(record.fileName)))\n"
            }
        }
        return signature(lines)
    }

    /// This preparation's provenance (the tree's current fingerprint).
    public func provenance() throws -> Provenance {
        Provenance(tree: tree.root.standardizedFileURL.resolvingSymlinksInPath().path, fingerprint: try Self.fingerprint(of: tree),
                   size: preparer.size, recipe: preparer.recipe)
    }

    /// The provenance `folder` records (nil: none — no preparation there, or one from before it was recorded).
    public static func recordedProvenance(in folder: URL) -> Provenance? {
        guard let data = try? ReadableFile.read(folder.appendingPathComponent(provenanceName), limit: ReadableFile.Limit.json,
                                                what: provenanceName) else { return nil }
        return try? JSONStyle.decoder().decode(Provenance.self, from: data)
    }

    /// How a prepared folder differs from what a command needs.
    public enum Mismatch: Equatable, Sendable, CustomStringConvertible {
        /// No manifest: nothing prepared there yet.
        case missing
        /// Prepared from another tree (its root).
        case otherTree(String)
        /// The tree's photos changed (added, removed, rewritten) since.
        case changedPhotos
        /// Prepared at another size (px).
        case otherSize(Int)
        /// Prepared with another recipe.
        case otherRecipe(String)

        public var description: String {
            switch self {
            case .missing: return "no preparation there yet"
            case .otherTree(let t): return "prepared from another data set, \(t)"
            case .changedPhotos: return "the data set's photos changed since they were prepared"
            case .otherSize(let n): return "prepared at \(n) px"
            case .otherRecipe(let r): return "prepared with `\(r)`"
            }
        }

        /// Whether preparing again in place fixes it without losing a choice the user made
        /// (the size and recipe of a folder made by `fashion prepare` are such choices).
        public var isAboutTheData: Bool {
            switch self { case .missing, .otherTree, .changedPhotos: return true; case .otherSize, .otherRecipe: return false }
        }
    }

    /// How `output` differs from a current preparation of `tree` with `preparer` (empty: the
    /// same tree, unchanged photos, the same size and recipe). A folder from before
    /// `preparation.json` was recorded is checked through its manifest: every photo it lists
    /// must be in the tree with the same byte size and modification time.
    public func mismatches() throws -> [Mismatch] {
        guard FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.csv").path) else { return [.missing] }
        let now = try provenance()
        guard let old = Self.recordedProvenance(in: output) else {
            let rows = (try? Self.readManifest(output.appendingPathComponent("manifest.csv"))) ?? []
            let fromTree = rows.allSatisfy { _, e in
                e.source == Self.sourceKey(tree.imageFolder(e.split).appendingPathComponent(e.file))
            }
            var out: [Mismatch] = fromTree ? [] : [.changedPhotos]
            if let size = rows.first?.1.size, size != now.size { out.append(.otherSize(size)) }
            return out
        }
        var out: [Mismatch] = []
        if old.tree != now.tree { out.append(.otherTree(old.tree)) } else if old.fingerprint != now.fingerprint { out.append(.changedPhotos) }
        if old.size != now.size { out.append(.otherSize(old.size)) }
        if old.recipe != now.recipe { out.append(.otherRecipe(old.recipe)) }
        return out
    }

    /// The photos `folder`'s manifest vouches for in `split` (file names), or nil when it has no
    /// manifest (a folder of photos prepared by another tool: all of them count).
    public static func vouchedPhotos(in folder: URL, split: Split) -> Set<String>? {
        guard let rows = try? readManifest(folder.appendingPathComponent("manifest.csv")) else { return nil }
        return Set(rows.filter { $0.1.split == split }.map(\.1.file))
    }

    /// What a run did.
    public struct Summary: Codable, Sendable {
        /// Photos prepared in this run, and kept from an earlier one.
        public var prepared = 0, reused = 0
        /// Photos of an earlier preparation removed because their source is no longer in the tree.
        public var removed = 0
        /// Photos left out, with why.
        public var skipped: [SkippedFile] = []
        /// Photos flagged by the white-share IQR rule.
        public var flagged: [String] = []
        public var rules: [String: InterquartileRule] = [:]
        public var normalization: NormalizationFile?
        /// Wall time.
        public var seconds = 0.0
        /// Photos prepared a second.
        public var photosPerSecond: Double { seconds > 0 ? Double(prepared) / seconds : 0 }
    }

    /// `normalization.json`: what training should normalise with.
    public struct NormalizationFile: Codable, Equatable, Sendable {
        /// The seed's definition: mean over training images of each image's channel mean/std.
        public var mean: [Double]
        public var std: [Double]
        /// The exact mean and population std over all training pixels.
        public var pooled: ChannelStatistics
        public var images: Int
        public var size: Int
        public var method: String
        /// How the photos were prepared (`PhotoPreparer.recipe`), so a model trained on them
        /// can prepare a new photo the same way; nil in files from before it was recorded.
        public var preparation: String?

        public init(mean: [Double], std: [Double], pooled: ChannelStatistics, images: Int, size: Int, method: String,
                    preparation: String? = nil) {
            self.mean = mean; self.std = std; self.pooled = pooled; self.images = images; self.size = size
            self.method = method; self.preparation = preparation
        }
    }

    /// Prepares everything; `progress(done, total)` is called from worker threads.
    public func run(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Summary {
        let start = Date()
        let fm = FileManager.default
        try fm.createDirectory(at: output, withIntermediateDirectories: true)
        try FolderLock.acquire(output)   // one writer per prepared folder (FolderLock.Busy names the other process)
        for split in Split.allCases {
            let folder = output.appendingPathComponent(split.imageFolder)
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            AtomicFile.removeLeftovers(in: folder)
        }
        AtomicFile.removeLeftovers(in: output)
        // The last manifest, then what a killed run finished after it (later rows win).
        let journalURL = output.appendingPathComponent(Self.journalName)
        let previousRows = ((try? Self.readManifest(output.appendingPathComponent("manifest.csv"))) ?? [])
            + ((try? Self.readManifest(journalURL, header: false)) ?? [])
        let previous = Dictionary(previousRows, uniquingKeysWith: { _, later in later })
        let journal = open(journalURL.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard journal >= 0 else {
            throw AtomicFile.WriteError(path: journalURL.path, reason: String(cString: strerror(errno)))
        }
        defer { close(journal) }
        var work: [(Split, ImageRecord)] = []
        var summary = Summary()
        for split in Split.allCases {
            let listed = try tree.images(split)
            summary.skipped += listed.skipped
            for record in listed.records { work.append((split, record)) }
        }
        var entries = [Entry?](repeating: nil, count: work.count)
        var failures = [SkippedFile?](repeating: nil, count: work.count)
        var reused = [Bool](repeating: false, count: work.count)
        let counter = ProgressCounter()
        let preparer = self.preparer, tree = self.tree, output = self.output, optionsKey = self.optionsKey
        entries.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { failed in
                reused.withUnsafeMutableBufferPointer { again in
                    Threading.parallelFor(work.count) { i in
                        let (split, record) = work[i]
                        let target = output.appendingPathComponent(split.imageFolder).appendingPathComponent(record.fileName)
                        let key = "\(split.rawValue)/\(record.fileName)"
                        let source = tree.imageFolder(split).appendingPathComponent(record.fileName)
                        let sourceKey = Self.sourceKey(source)
                        // Reuse only an output that is whole, of the same source and the same options.
                        if let old = previous[key], old.size == preparer.size, old.source == sourceKey, old.options == optionsKey,
                           PhotoCheck.problem(at: target) == nil {
                            out[i] = old; again[i] = true
                        } else {
                            do {
                                let result = try preparer.prepare(contentsOf: source)
                                try result.image.write(to: target, jpegQuality: PreparedPhoto.jpegQuality)
                                let entry = Entry(split: split, file: record.fileName, whiteShare: result.whiteShare, box: result.box,
                                                  stats: ChannelStatistics(of: result.image), size: preparer.size,
                                                  source: sourceKey, options: optionsKey)
                                out[i] = entry
                                // One append per row (O_APPEND keeps rows of parallel workers whole); a failed
                                // append only costs the reuse of this photo after a kill.
                                let row = Array(Self.manifestRow(entry).utf8)
                                _ = row.withUnsafeBytes { Glibc.write(journal, $0.baseAddress, $0.count) }
                            } catch let error as ImageIOError {
                                // The photo's own error without its path; another file's (the output) with it.
                                failed[i] = SkippedFile(path: "\(split.imageFolder)/\(record.fileName)",
                                                        reason: error.path == source.path ? Self.reason(error) : error.description)
                            } catch {
                                failed[i] = SkippedFile(path: "\(split.imageFolder)/\(record.fileName)", reason: "\(error)")
                            }
                        }
                        progress?(counter.increment(), work.count)
                    }
                }
            }
        }
        let done = entries.compactMap { $0 }
        summary.skipped += failures.compactMap { $0 }
        // Photos an earlier preparation made whose source is gone (another tree's, or deleted
        // since): removed, so no later command trains or evaluates on them.
        let current = Set(work.map { "\($0.0.rawValue)/\($0.1.fileName)" })
        for (key, old) in previous where !current.contains(key) {
            let stale = output.appendingPathComponent(old.split.imageFolder).appendingPathComponent(old.file)
            if unlink(stale.path) == 0 { summary.removed += 1 }
        }
        // Caches of the model-size photos are rebuilt when any photo changed.
        if summary.removed > 0 || done.count != previous.count || reused.contains(false) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
            where name.hasPrefix("cache-") && name.hasSuffix(".fsimg") {
                unlink(output.appendingPathComponent(name).path)
            }
        }
        summary.reused = reused.filter { $0 }.count
        summary.prepared = done.count - summary.reused

        // White-share IQR flags per split.
        var flaggedSet = Set<String>()
        for split in Split.allCases {
            let shares = done.filter { $0.split == split }.map(\.whiteShare)
            guard !shares.isEmpty else { continue }
            let rule = InterquartileRule(values: shares)
            summary.rules[split.rawValue] = rule
            for e in done where e.split == split && rule.flags(e.whiteShare) { flaggedSet.insert("\(split.rawValue)/\(e.file)") }
        }
        summary.flagged = flaggedSet.sorted()

        // Training normalisation.
        var accumulator = NormalizationAccumulator()
        for e in done where e.split == .training { accumulator.add(e.stats, pixels: e.size * e.size) }
        if accumulator.images > 0 {
            let seed = accumulator.meanOfImages
            summary.normalization = NormalizationFile(mean: seed.mean, std: seed.std, pooled: accumulator.pooled,
                                                      images: accumulator.images, size: preparer.size,
                                                      method: "mean over training images of each image's channel mean and unbiased std",
                                                      preparation: preparer.recipe)
        }
        try writeOutputs(done, summary: summary)
        unlink(journalURL.path)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    static func reason(_ error: ImageIOError) -> String {
        let text = error.description
        return text.hasPrefix(error.path + ": ") ? String(text.dropFirst(error.path.count + 2)) : text
    }

    func writeOutputs(_ entries: [Entry], summary: Summary) throws {
        let sorted = entries.sorted { ($0.split, $0.file) < ($1.split, $1.file) }
        var manifest = TextTable.csvLine(["split", "file", "white_share", "box_x", "box_y", "box_width", "box_height", "size",
                                          "mean_r", "mean_g", "mean_b", "std_r", "std_g", "std_b", "source", "options"])
        var shares = TextTable.csvLine(["split", "file", "white_share", "flagged"])
        let flagged = Set(summary.flagged)
        for e in sorted {
            manifest += Self.manifestRow(e)
            shares += TextTable.csvLine([e.split.rawValue, e.file, String(format: "%.6f", e.whiteShare),
                                         flagged.contains("\(e.split.rawValue)/\(e.file)") ? "1" : "0"])
        }
        try AtomicFile.write(Data(manifest.utf8), to: output.appendingPathComponent("manifest.csv"))
        try AtomicFile.write(Data(shares.utf8), to: output.appendingPathComponent("white_share.csv"))
        try SkippedFile.write(summary.skipped, to: output.appendingPathComponent("skipped.csv"))
        if let n = summary.normalization {
            try AtomicFile.write(JSONStyle.encoder().encode(n), to: output.appendingPathComponent("normalization.json"))
        }
        // Last: a folder whose provenance matches is whole.
        try AtomicFile.write(JSONStyle.encoder().encode(try provenance()), to: output.appendingPathComponent(Self.provenanceName))
    }

    /// The provenance file's name.
    public static let provenanceName = "preparation.json"

    /// The journal of a run in progress (hidden: not an output).
    static let journalName = ".manifest.journal"

    /// One `manifest.csv` row (numbers in Swift's shortest round-trip form, so a row read back
    /// gives the same bits).
    static func manifestRow(_ e: Entry) -> String {
        let box = e.box.map { [String($0.x), String($0.y), String($0.width), String($0.height)] } ?? ["", "", "", ""]
        let m = e.stats.mean + [Double](repeating: e.stats.mean.first ?? 0, count: max(0, 3 - e.stats.mean.count))
        let s = e.stats.std + [Double](repeating: e.stats.std.first ?? 0, count: max(0, 3 - e.stats.std.count))
        return TextTable.csvLine([e.split.rawValue, e.file, String(e.whiteShare)] + box + [String(e.size)]
                                 + m.prefix(3).map { String($0) } + s.prefix(3).map { String($0) } + [e.source, e.options])
    }

    /// Reads a manifest written by a previous run, or a journal (`header: false`): `split/file`
    /// → entry; rows that do not parse whole (a torn last row) are left out.
    static func readManifest(_ url: URL, header: Bool = true) throws -> [(String, Entry)] {
        let text = String(decoding: try ReadableFile.read(url, limit: ReadableFile.Limit.table, what: "a manifest"), as: UTF8.self)
        var rows: [(String, Entry)] = []
        // A journal's last row counts only when its newline made it to the file.
        let complete = header || text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        for line in complete.split(separator: "\n").dropFirst(header ? 1 : 0) {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 16, let split = Split(rawValue: f[0]), let share = Double(f[2]), let size = Int(f[7]) else { continue }
            let box: ForegroundMask.Box? = Int(f[3]).flatMap { x in
                guard let y = Int(f[4]), let w = Int(f[5]), let h = Int(f[6]) else { return nil }
                return ForegroundMask.Box(x: x, y: y, width: w, height: h)
            }
            let numbers = f[8..<14].compactMap(Double.init)
            guard numbers.count == 6 else { continue }
            rows.append(("\(split.rawValue)/\(f[1])", Entry(split: split, file: f[1], whiteShare: share, box: box,
                                                            stats: ChannelStatistics(mean: Array(numbers[0..<3]), std: Array(numbers[3..<6])),
                                                            size: size, source: f[14], options: f[15])))
        }
        return rows
    }
}
