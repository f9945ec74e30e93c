import FashionBase
import Foundation

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
/// {string: string}}` padded with spaces to 8 bytes, then the tensors' bytes back to back.
///
/// Reads F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL (all converted to `Float`; integer
/// entries keep `.int64` as their element type so they are written back as PyTorch had them);
/// writes F32 and I64. `safetensors.torch.load_file` reads what this writes.
public enum Safetensors {

    /// A parsed file: the state dictionary and the metadata strings.
    public struct Contents {
        public var state: StateDictionary
        public var metadata: [String: String]
        public init(state: StateDictionary, metadata: [String: String] = [:]) { self.state = state; self.metadata = metadata }
    }

    /// Why a file could not be read or written; always names the file.
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) { self.path = path; self.reason = reason }
        public var description: String { "\(path): \(reason)" }
    }

    struct HeaderEntry: Codable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    static let elementSizes: [String: Int] = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1]

    /// Reads a safetensors file.
    public static func read(contentsOf url: URL) throws -> Contents {
        let data: Data
        if case .failure(let why) = ReadableFile.check(url.path) { throw FormatError(path: url.path, reason: why.reason) }
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw FormatError(path: url.path, reason: "cannot read (\(FileSystemMessage.reason(of: error)))")
        }
        return try decode(data, path: url.path)
    }

    /// How to convert a file written by `torch.save` (a zip archive, or a bare pickle).
    public static let conversionHint = "convert it in Python: `import torch; from safetensors.torch import save_file; "
        + "sd = torch.load('model.pt', map_location='cpu'); sd = sd.get('state_dict', sd); "
        + "save_file({k: v.contiguous() for k, v in sd.items()}, 'model.safetensors')`"

    /// What a file that is no safetensors file is, when its first bytes tell (`torch.save`'s zip
    /// archive or pickle, gzip, NumPy's `.npy`); nil otherwise.
    static func foreignFormat(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(6))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "not a safetensors file but a zip archive — a PyTorch `torch.save` file (.pt/.pth)? \(conversionHint)"
        }
        if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) {
            return "not a safetensors file but a Python pickle — a PyTorch `torch.save` file from before torch 1.6? \(conversionHint)"
        }
        if head.starts(with: [0x1F, 0x8B]) { return "not a safetensors file but gzip data: decompress it first (gunzip)" }
        if head.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) { return "not a safetensors file but a NumPy .npy array" }
        return nil
    }

    /// Parses safetensors bytes; `path` names them in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> Contents {
        func fail(_ why: String) -> FormatError { FormatError(path: path, reason: why) }
        if let foreign = foreignFormat(data) { throw fail(foreign) }
        guard data.count >= 8 else { throw fail("too short for a safetensors header (\(data.count) bytes)") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n > 0, n <= UInt64(data.count - 8), n < 100_000_000 else { throw fail("header length \(n) does not fit the file (\(data.count) bytes)") }
        let headerBytes = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(n)))
        if let why = headerBytes.withUnsafeBytes(StrictJSON.problem) { throw fail("header is not strict JSON: \(why)") }
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let body = data.startIndex + 8 + Int(n)
        let bodyCount = data.count - 8 - Int(n)
        var metadata: [String: String] = [:]
        if let meta = object["__metadata__"] {
            guard let strings = meta as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
            metadata = strings
        }
        var parsed: [(String, HeaderEntry)] = []
        for (name, value) in object where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("entry '\(name)' lacks dtype, shape or data_offsets")
            }
            parsed.append((name, HeaderEntry(dtype: dtype, shape: shape, data_offsets: offsets)))
        }
        // Keep the file's byte order (PyTorch writers sort by dtype then name); ties by name.
        parsed.sort { ($0.1.data_offsets[0], $0.0) < ($1.1.data_offsets[0], $1.0) }
        var state = StateDictionary()
        var previousEnd = 0, previousName = ""
        for (name, entry) in parsed {
            guard let size = elementSizes[entry.dtype] else { throw fail("'\(name)': unsupported dtype \(entry.dtype)") }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else { throw fail("'\(name)': negative dimension in \(entry.shape)") }
            // Sizes come from the file: every product is checked before it is used.
            var count = entry.shape.contains(0) ? 0 : 1
            for d in entry.shape where count > 0 {
                let (p, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, p <= bodyCount else { throw fail("'\(name)': shape \(entry.shape) holds more values than the file's \(bodyCount) data bytes") }
                count = p
            }
            let (begin, end) = (entry.data_offsets[0], entry.data_offsets[1])
            guard begin >= 0, end >= begin, end <= bodyCount, end - begin == count * size else {
                throw fail("'\(name)': data_offsets \(entry.data_offsets) do not hold \(count) × \(entry.dtype) in \(bodyCount) bytes")
            }
            guard begin >= previousEnd else {
                throw fail("'\(name)': data_offsets \(entry.data_offsets) overlap those of '\(previousName)' (which end at \(previousEnd))")
            }
            previousEnd = end; previousName = name
            var values = [Float](repeating: 0, count: count)
            data.withUnsafeBytes { raw in
                let p = raw.baseAddress! + (body - data.startIndex) + begin
                if entry.dtype == "F32" {
                    values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: p, count: 4 * count)) }
                    return
                }
                for i in 0..<count {
                    let q = p + i * size
                    switch entry.dtype {
                    case "F32": values[i] = Float(bitPattern: UInt32(littleEndian: q.loadUnaligned(as: UInt32.self)))
                    case "F64": values[i] = Float(Double(bitPattern: UInt64(littleEndian: q.loadUnaligned(as: UInt64.self))))
                    case "F16": values[i] = Float(Float16(bitPattern: UInt16(littleEndian: q.loadUnaligned(as: UInt16.self))))
                    case "BF16": values[i] = Float(bitPattern: UInt32(UInt16(littleEndian: q.loadUnaligned(as: UInt16.self))) << 16)
                    case "I64": values[i] = Float(Int64(littleEndian: q.loadUnaligned(as: Int64.self)))
                    case "I32": values[i] = Float(Int32(littleEndian: q.loadUnaligned(as: Int32.self)))
                    case "I16": values[i] = Float(Int16(littleEndian: q.loadUnaligned(as: Int16.self)))
                    case "I8": values[i] = Float(q.load(as: Int8.self))
                    default: values[i] = Float(q.load(as: UInt8.self))   // U8, BOOL
                    }
                }
            }
            let integer = entry.dtype.hasPrefix("I") || entry.dtype == "U8" || entry.dtype == "BOOL"
            state.set(name, Tensor(shape: entry.shape, scalars: values), elementType: integer ? .int64 : .float32)
        }
        return Contents(state: state, metadata: metadata)
    }

    /// The file's bytes: entries in the dictionary's order, F32 or I64 as each entry says.
    public static func encode(_ contents: Contents) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        var body = Data()
        for entry in contents.state {
            let values = entry.tensor.scalars
            let begin = offset
            switch entry.elementType {
            case .float32:
                // Little-endian hosts (x86-64, arm64) write the floats as they lie in memory.
                values.withUnsafeBytes { body.append(contentsOf: $0) }
                offset += 4 * values.count
            case .int64:
                var raw = [Int64](repeating: 0, count: values.count)
                for i in values.indices { raw[i] = Int64(values[i].rounded()).littleEndian }
                raw.withUnsafeBytes { body.append(contentsOf: $0) }
                offset += 8 * values.count
            }
            header[entry.name] = ["dtype": entry.elementType.rawValue, "shape": entry.tensor.shape, "data_offsets": [begin, offset]] as [String: Any]
        }
        if !contents.metadata.isEmpty { header["__metadata__"] = contents.metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var length = UInt64(json.count).littleEndian
        var out = Data(bytes: &length, count: 8)
        out.append(json)
        out.append(body)
        return out
    }

    /// Writes `contents` to `url` atomically (``AtomicFile``: temporary file, flush, rename).
    public static func write(_ contents: Contents, to url: URL) throws {
        let data = try encode(contents)
        do { try AtomicFile.write(data, to: url) } catch let e as AtomicFile.WriteError {
            throw FormatError(path: url.path, reason: "cannot write (\(e.reason))")
        }
    }
}
