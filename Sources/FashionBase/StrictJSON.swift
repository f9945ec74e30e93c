/// The strict reading of a JSON document that Python's `json` module and pandas agree on, for
/// what `JSONDecoder` lets through: the grammar of RFC 8259 exactly (no trailing comma, no
/// comments, nothing after the value), valid UTF-8 throughout, and no key twice in one object
/// (`{"Q5": 1, "Q5": 2}` is a like to Python, which keeps the last, and a dislike to a reader
/// that keeps the first — so it is refused, naming the key). Used for label files and for
/// safetensors headers (Python's `safetensors` refuses a key listed twice).
public enum StrictJSON {
    /// Why `bytes` is not a strict JSON document, or nil when it is.
    public static func problem(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let base = bytes.baseAddress else { return "empty document" }
        var p = Parser(b: base.assumingMemoryBound(to: UInt8.self), n: bytes.count)
        if p.n >= 3, p.b[0] == 0xEF, p.b[1] == 0xBB, p.b[2] == 0xBF { p.i = 3 }   // a UTF-8 byte-order mark, as Python's utf-8-sig
        p.skipSpace()
        guard p.i < p.n else { return "empty document" }
        if let why = p.value(depth: 0) { return why }
        p.skipSpace()
        return p.i == p.n ? nil : "unexpected content after the document at byte \(p.i)"
    }

    struct Parser {
        let b: UnsafePointer<UInt8>
        let n: Int
        var i = 0

        var peek: UInt8 { i < n ? b[i] : 0 }

        mutating func skipSpace() {
            while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) -> String? {
            guard depth < 512 else { return "nested more than 512 levels" }
            guard i < n else { return "unexpected end of the document" }
            switch b[i] {
            case UInt8(ascii: "{"): return object(depth: depth)
            case UInt8(ascii: "["): return array(depth: depth)
            case UInt8(ascii: "\""):
                var sink: [UInt8]? = nil
                return string(into: &sink)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return "unexpected character at byte \(i)"
            }
        }

        mutating func object(depth: Int) -> String? {
            i += 1
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return nil }
            var keys = Set<[UInt8]>()
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { return peek == UInt8(ascii: "}") ? "trailing comma before } at byte \(i)" : "expected a key at byte \(i)" }
                var key: [UInt8]? = []
                if let why = string(into: &key) { return why }
                guard keys.insert(key ?? []).inserted else {
                    return "duplicate key \"\(String(decoding: key ?? [], as: UTF8.self))\" (readers disagree on which value counts)"
                }
                skipSpace()
                guard peek == UInt8(ascii: ":") else { return "expected : at byte \(i)" }
                i += 1
                skipSpace()
                if let why = value(depth: depth + 1) { return why }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "}") { i += 1; return nil }
                return "expected , or } at byte \(i)"
            }
        }

        mutating func array(depth: Int) -> String? {
            i += 1
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return nil }
            while true {
                skipSpace()
                if peek == UInt8(ascii: "]") { return "trailing comma before ] at byte \(i)" }
                if let why = value(depth: depth + 1) { return why }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "]") { i += 1; return nil }
                return "expected , or ] at byte \(i)"
            }
        }

        /// A string; its decoded UTF-8 bytes appended to `out` when given (keys).
        mutating func string(into out: inout [UInt8]?) -> String? {
            i += 1
            while i < n {
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; return nil }
                if c < 0x20 { return "control character in a string at byte \(i)" }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < n else { break }
                    switch b[i] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                        out?.append(b[i]); i += 1
                    case UInt8(ascii: "b"): out?.append(0x08); i += 1
                    case UInt8(ascii: "f"): out?.append(0x0C); i += 1
                    case UInt8(ascii: "n"): out?.append(0x0A); i += 1
                    case UInt8(ascii: "r"): out?.append(0x0D); i += 1
                    case UInt8(ascii: "t"): out?.append(0x09); i += 1
                    case UInt8(ascii: "u"):
                        guard let unit = hex4(at: i + 1) else { return "bad \\u escape at byte \(i)" }
                        i += 5
                        var scalar = unit
                        if (0xD800..<0xDC00).contains(unit), peek == UInt8(ascii: "\\"), i + 1 < n, b[i + 1] == UInt8(ascii: "u"),
                           let low = hex4(at: i + 2), (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        if let valid = Unicode.Scalar(scalar) {
                            out?.append(contentsOf: Array(String(Character(valid)).utf8))
                        } else {   // a lone surrogate: no character, kept apart by a byte UTF-8 never holds
                            out?.append(contentsOf: [0xFF, UInt8(scalar >> 8), UInt8(scalar & 0xFF)])
                        }
                    default: return "bad escape \\\(Character(Unicode.Scalar(b[i]))) at byte \(i)"
                    }
                    continue
                }
                if c < 0x80 { out?.append(c); i += 1; continue }
                // UTF-8: the sequence's length from its lead byte, continuation bytes, no overlong
                // form, no surrogate, nothing past U+10FFFF.
                let start = i
                let length: Int, minimum: UInt32
                var scalar: UInt32
                switch c {
                case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(c & 0x1F)
                case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(c & 0x0F)
                case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(c & 0x07)
                default: return "invalid UTF-8 at byte \(i)"
                }
                guard i + length <= n else { return "invalid UTF-8 at byte \(i)" }
                for k in 1..<length {
                    let d = b[i + k]
                    guard d & 0xC0 == 0x80 else { return "invalid UTF-8 at byte \(i)" }
                    scalar = scalar << 6 | UInt32(d & 0x3F)
                }
                guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return "invalid UTF-8 at byte \(i)" }
                i += length
                out?.append(contentsOf: UnsafeBufferPointer(start: b + start, count: length))
            }
            return "unterminated string"
        }

        func hex4(at k: Int) -> UInt32? {
            guard k + 4 <= n else { return nil }
            var v: UInt32 = 0
            for j in k..<(k + 4) {
                let c = b[j]
                switch c {
                case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
                case 0x41...0x46: v = v << 4 | UInt32(c - 0x41 + 10)
                case 0x61...0x66: v = v << 4 | UInt32(c - 0x61 + 10)
                default: return nil
                }
            }
            return v
        }

        mutating func number() -> String? {
            let start = i
            if peek == UInt8(ascii: "-") { i += 1 }
            guard i < n else { return "bad number at byte \(start)" }
            if b[i] == UInt8(ascii: "0") { i += 1 } else {
                guard b[i] >= 0x31 && b[i] <= 0x39 else { return "bad number at byte \(start)" }
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard i < n, b[i] >= 0x30 && b[i] <= 0x39 else { return "bad number at byte \(start)" }
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard i < n, b[i] >= 0x30 && b[i] <= 0x39 else { return "bad number at byte \(start)" }
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            }
            return nil
        }

        mutating func literal(_ word: StaticString) -> String? {
            let count = word.utf8CodeUnitCount, p = word.utf8Start
            guard i + count <= n else { return "unexpected end of the document" }
            for k in 0..<count where b[i + k] != p[k] { return "unexpected character at byte \(i)" }
            i += count
            return nil
        }
    }
}
