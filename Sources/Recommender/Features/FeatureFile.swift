import Dataset
import Foundation
import Tensor

/// Features files in the two formats users bring and take away:
///
/// - CSV: header `stem,f0,f1,…,f{D-1}`, one row per stem (no `.jpg`), values as decimal numbers
///   (pandas: `pd.read_csv(path, index_col="stem")`).
/// - safetensors: a tensor `features` (F32 `[N, D]`) and the stems in the metadata under
///   `stems` as a JSON list (`safetensors.torch.load_file` + `json.loads(metadata["stems"])`).
///
/// Reading checks what a wrong file gets wrong — header, short or long rows, numbers that do not
/// parse or are not finite, repeated stems — and names the file and line.
public enum FeatureFile {
    /// The file format, from the extension (`.csv` or `.safetensors`).
    public enum Format: String, Sendable, CaseIterable {
        case csv, safetensors
        public init?(url: URL) { self.init(rawValue: url.pathExtension.lowercased()) }
    }

    /// Reads a features file in the format its extension names (finishing first a committed
    /// write of its folder that a killed process left half done, `OutputSet`).
    public static func read(contentsOf url: URL) throws -> FeatureStore {
        OutputSet.settle(in: url.deletingLastPathComponent())
        switch Format(url: url) {
        case .csv?: return try readCSV(contentsOf: url)
        case .safetensors?: return try readSafetensors(contentsOf: url)
        case nil: throw FeatureFileError(path: url.path, line: nil, reason: "unknown extension .\(url.pathExtension) (expected .csv or .safetensors)")
        }
    }

    /// Writes `store` in the format the extension names, atomically.
    public static func write(_ store: FeatureStore, to url: URL) throws {
        switch Format(url: url) {
        case .csv?: try writeCSV(store, to: url)
        case .safetensors?: try writeSafetensors(store, to: url)
        case nil: throw FeatureFileError(path: url.path, line: nil, reason: "unknown extension .\(url.pathExtension) (expected .csv or .safetensors)")
        }
    }

    /// Writes `store` in `format` to `url` whatever its extension (a pending file of an `OutputSet`).
    public static func write(_ store: FeatureStore, to url: URL, format: Format) throws {
        switch format {
        case .csv: try writeCSV(store, to: url)
        case .safetensors: try writeSafetensors(store, to: url)
        }
    }

    // MARK: CSV

    /// Parses CSV bytes (`path` names them in errors).
    public static func parseCSV(_ data: Data, path: String) throws -> FeatureStore {
        var bytes = [UInt8](data)
        bytes.append(0)   // strtof needs a terminator
        return try bytes.withUnsafeMutableBufferPointer { buffer -> FeatureStore in
            let base = buffer.baseAddress!
            let n = buffer.count - 1
            var position = 0
            var line = 0
            /// The next line's [start, end) without its line break; nil at the end.
            func nextLine() -> (Int, Int)? {
                guard position < n else { return nil }
                let start = position
                while position < n, base[position] != 0x0A { position += 1 }
                var end = position
                if position < n { position += 1 }
                if end > start, base[end - 1] == 0x0D { end -= 1 }
                line += 1
                return (start, end)
            }
            func text(_ s: Int, _ e: Int) -> String { String(decoding: UnsafeBufferPointer(start: base + s, count: e - s), as: UTF8.self) }
            func fail(_ why: String) -> FeatureFileError { FeatureFileError(path: path, line: line, reason: why) }

            guard let (hs, he) = nextLine() else { throw FeatureFileError(path: path, line: nil, reason: "empty file (expected a header stem,f0,f1,…)") }
            var header = text(hs, he)
            if header.hasPrefix("\u{FEFF}") { header.removeFirst() }
            let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count >= 2, columns[0] == "stem" else {
                throw fail("header must start with stem,f0 (found \"\(header.prefix(40))\")")
            }
            for (j, c) in columns.dropFirst().enumerated() where c != "f\(j)" {
                throw fail("header column \(j + 2) is \"\(c)\", expected f\(j)")
            }
            let d = columns.count - 1
            var stems: [String] = [], values: [Float] = []
            values.reserveCapacity(d * max(16, n / (d * 9 + 1)))
            while let (s, e) = nextLine() {
                if s == e { continue }   // blank line (a trailing newline)
                var p = s
                while p < e, base[p] != UInt8(ascii: ",") { p += 1 }
                guard p < e else { throw fail("no values after the stem") }
                var stem = text(s, p).trimmingCharacters(in: .whitespaces)
                if stem.hasPrefix("\""), stem.hasSuffix("\""), stem.count >= 2 { stem = String(stem.dropFirst().dropLast()) }
                if stem.lowercased().hasSuffix(".jpg") { stem = String(stem.dropLast(4)) }
                guard !stem.isEmpty else { throw fail("empty stem") }
                stems.append(stem)
                for j in 0..<d {
                    guard p < e, base[p] == UInt8(ascii: ",") else { throw fail("\(stem): \(j) values, expected \(d)") }
                    p += 1
                    // strtof stops at the comma; the line break is beyond `e` or is a terminator for it.
                    let saved = base[e]
                    base[e] = 0
                    var end: UnsafeMutablePointer<CChar>? = nil
                    let start = UnsafeMutableRawPointer(base + p).assumingMemoryBound(to: CChar.self)
                    let v = strtof(start, &end)
                    base[e] = saved
                    let consumed = end.map { UnsafeMutableRawPointer($0) - UnsafeMutableRawPointer(base + p) } ?? 0
                    var q = p + consumed
                    while q < e, base[q] == 0x20 { q += 1 }
                    guard consumed > 0, q == e || base[q] == UInt8(ascii: ",") else {
                        var f = p
                        while f < e, base[f] != UInt8(ascii: ",") { f += 1 }
                        throw fail("\(stem): f\(j) = \"\(text(p, f))\" is not a number")
                    }
                    guard v.isFinite else { throw fail("\(stem): f\(j) is \(v)") }
                    values.append(v)
                    p = q
                }
                guard p == e else { throw fail("\(stem): more than \(d) values") }
            }
            guard !stems.isEmpty else { throw FeatureFileError(path: path, line: nil, reason: "no rows after the header") }
            return try FeatureStore(stems: canonicalStems(stems, path: path), values: values, dimension: d, source: path)
        }
    }

    public static func readCSV(contentsOf url: URL) throws -> FeatureStore {
        try parseCSV(try readBytes(url), path: url.path)
    }

    /// The CSV text (shortest round-trip decimal for every value).
    public static func csv(_ store: FeatureStore) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(store.raw.count * 10 + store.count * 32)
        out.append(contentsOf: Array("stem".utf8))
        for j in 0..<store.dimension { out.append(contentsOf: Array(",f\(j)".utf8)) }
        out.append(0x0A)
        for i in 0..<store.count {
            out.append(contentsOf: Array(store.stems[i].utf8))
            for v in store.vector(i) {
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: Array(v.description.utf8))
            }
            out.append(0x0A)
        }
        return Data(out)
    }

    public static func writeCSV(_ store: FeatureStore, to url: URL) throws {
        try writeAtomically(csv(store), to: url)
    }

    /// Each row's key as the rest of the project spells it (``ImageKey/canonicalStem(ofPhotoName:)``):
    /// a file keyed by on-disk names (`T_01596_70_hippee_M`, `….jpg`, a path) matches the photos it
    /// names; keys that are no K-Fashion photo name stay as written. Two rows that name one photo
    /// in two spellings are refused, naming both lines.
    static func canonicalStems(_ stems: [String], path: String) throws -> [String] {
        var seen: [String: Int] = [:]
        seen.reserveCapacity(stems.count)
        return try stems.enumerated().map { i, stem in
            let key = ImageKey.canonicalStem(ofPhotoName: stem) ?? stem
            if let first = seen[key], stems[first] != stem {
                throw FeatureFileError(path: path, line: i + 2, reason: "\(stem) and \(stems[first]) (row \(first + 2)) name the same photo \(key)")
            }
            seen[key] = i
            return key
        }
    }

    // MARK: safetensors

    public static func readSafetensors(contentsOf url: URL) throws -> FeatureStore {
        let contents = try Safetensors.read(contentsOf: url)
        func fail(_ why: String) -> FeatureFileError { FeatureFileError(path: url.path, line: nil, reason: why) }
        guard let tensor = contents.state["features"] else { throw fail("no tensor named \"features\"") }
        guard tensor.shape.count == 2 else { throw fail("features has shape \(tensor.shape), expected [N, D]") }
        guard let text = contents.metadata["stems"],
              let stems = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw fail("no JSON list \"stems\" in the metadata")
        }
        guard stems.count == tensor.shape[0] else { throw fail("\(stems.count) stems for \(tensor.shape[0]) rows") }
        return try FeatureStore(stems: canonicalStems(stems, path: url.path), values: tensor.scalars, dimension: tensor.shape[1], source: url.path)
    }

    public static func writeSafetensors(_ store: FeatureStore, to url: URL, metadata: [String: String] = [:]) throws {
        var state = StateDictionary()
        state.set("features", Tensor(shape: [store.count, store.dimension], scalars: store.raw))
        let stems = String(decoding: try JSONEncoder().encode(store.stems), as: UTF8.self)
        try Safetensors.write(Safetensors.Contents(state: state, metadata: metadata.merging(["stems": stems]) { $1 }), to: url)
    }

    // MARK: Files

    static func readBytes(_ url: URL) throws -> Data {
        do { return try ReadableFile.read(url, limit: ReadableFile.Limit.table, what: "a features file") } catch let why as ReadableFile.Failure {
            throw FeatureFileError(path: url.path, line: nil, reason: why.reason)
        }
    }

    /// Writes through a temporary file in the same folder and a rename.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        do { try AtomicFile.write(data, to: url) } catch let e as AtomicFile.WriteError {
            throw FeatureFileError(path: url.path, line: nil, reason: "cannot write (\(e.reason))")
        }
    }
}
