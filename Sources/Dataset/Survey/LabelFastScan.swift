import Foundation

/// The fast path for a label file: one pass over the bytes that checks the whole document
/// against the JSON grammar (RFC 8259) and picks out `item.survey.Q5` and `user.R_id`.
///
/// It answers only for a plain document — ASCII, an object at the top, no key twice in an
/// object, both fields present once as non-negative integer literals, keys of interest without escapes, `imgName` (if
/// present) a string — and returns nil for anything else, so ``SurveyAnswer`` falls back to
/// `JSONDecoder` and its error wording. Where it answers, it gives what `JSONDecoder` gives
/// (`FuzzLabelJSON` checks the two against each other); it is ~10× cheaper, which is most of
/// mission 2-2's time on the real set's 55,000 label files.
enum LabelFastScan {
    /// `(Q5, R_id)` of a plain label document, or nil (decode it the general way).
    static func scan(_ bytes: UnsafeRawBufferPointer) -> (q5: Int, respondent: Int)? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        var scanner = Scanner(b: base.assumingMemoryBound(to: UInt8.self), n: bytes.count)
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{"), scanner.value(.root, depth: 0) else { return nil }
        scanner.skipSpace()
        guard scanner.i == scanner.n, let q5 = scanner.q5, let respondent = scanner.respondent else { return nil }
        return (q5, respondent)
    }

    /// Where an object sits: the ones whose keys matter, or any other.
    enum Context { case root, item, survey, user, other, q5, respondent, imageName }

    struct Scanner {
        let b: UnsafePointer<UInt8>
        let n: Int
        var i = 0
        var q5: Int?, respondent: Int?

        var peek: UInt8 { i < n ? b[i] : 0 }

        mutating func skipSpace() {
            while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        /// One value; false when the document is not plain JSON (or not the plain kind).
        mutating func value(_ context: Context, depth: Int) -> Bool {
            guard depth < 64, i < n else { return false }
            switch b[i] {
            case UInt8(ascii: "{"): return context == .q5 || context == .respondent || context == .imageName ? false : object(context, depth: depth)
            case UInt8(ascii: "["):
                guard context == .other else { return false }
                return array(depth: depth)
            case UInt8(ascii: "\""):
                guard context == .other || context == .imageName else { return false }
                return string(isKey: false) != nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                switch context {
                case .q5: guard let v = integer() else { return false }; q5 = v; return true
                case .respondent: guard let v = integer() else { return false }; respondent = v; return true
                case .other: return number()
                default: return false
                }
            case UInt8(ascii: "t"): return context == .other && literal("true")
            case UInt8(ascii: "f"): return context == .other && literal("false")
            case UInt8(ascii: "n"): return context == .other && literal("null")
            default: return false
            }
        }

        /// An object; its keys' ranges are kept on the stack (no allocation per object) to find a
        /// key given twice — which hands the document to the strict path to be refused by name.
        mutating func object(_ context: Context, depth: Int) -> Bool {
            withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: 64) { keys in object(context, depth: depth, keys: keys) }
        }

        mutating func object(_ context: Context, depth: Int, keys: UnsafeMutableBufferPointer<Range<Int>>) -> Bool {
            i += 1   // {
            var count = 0
            skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return true }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\""), let key = string(isKey: true), count < keys.count else { return false }   // > 64 keys: the general path
                for k in 0..<count where keys[k].count == key.count && memcmp(b + keys[k].lowerBound, b + key.lowerBound, key.count) == 0 { return false }
                keys.initializeElement(at: count, to: key)
                count += 1
                skipSpace()
                guard peek == UInt8(ascii: ":") else { return false }
                i += 1
                skipSpace()
                guard value(Self.child(of: context, key: key, b: b), depth: depth + 1) else { return false }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "}") { i += 1; return true }
                return false
            }
        }

        mutating func array(depth: Int) -> Bool {
            i += 1   // [
            skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return true }
            while true {
                skipSpace()
                guard value(.other, depth: depth + 1) else { return false }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "]") { i += 1; return true }
                return false
            }
        }

        /// The context of `key`'s value inside an object of `context`.
        static func child(of context: Context, key: Range<Int>, b: UnsafePointer<UInt8>) -> Context {
            func equals(_ s: StaticString) -> Bool {
                guard key.count == s.utf8CodeUnitCount else { return false }
                let p = s.utf8Start
                for k in 0..<key.count where b[key.lowerBound + k] != p[k] { return false }
                return true
            }
            switch context {
            case .root:
                if equals("item") { return .item }
                if equals("user") { return .user }
                if equals("imgName") { return .imageName }
            case .item: if equals("survey") { return .survey }
            case .survey: if equals("Q5") { return .q5 }
            case .user: if equals("R_id") { return .respondent }
            default: break
            }
            return .other
        }

        /// A string; its content's byte range when it has no escape (keys must not, to be
        /// compared), or an empty range for a value string with escapes. Nil: not plain.
        mutating func string(isKey: Bool) -> Range<Int>? {
            i += 1   // "
            let start = i
            var escaped = false
            while i < n {
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; return escaped ? start..<start : start..<(i - 1) }
                if c < 0x20 || c >= 0x80 { return nil }   // control characters are invalid; non-ASCII: general path
                if c == UInt8(ascii: "\\") {
                    if isKey { return nil }
                    escaped = true
                    i += 1
                    guard i < n else { return nil }
                    switch b[i] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 1
                    case UInt8(ascii: "u"):
                        guard i + 4 < n else { return nil }
                        for k in 1...4 where !Self.isHex(b[i + k]) { return nil }
                        // A lone surrogate may be refused by one reader and not another: general path.
                        let first = Self.hexValue(b[i + 1])
                        if first == 0xD { return nil }
                        i += 5
                    default: return nil
                    }
                    continue
                }
                i += 1
            }
            return nil
        }

        static func isHex(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
        }
        static func hexValue(_ c: UInt8) -> Int {
            c <= 0x39 ? Int(c) - 0x30 : (c <= 0x46 ? Int(c) - 0x41 + 10 : Int(c) - 0x61 + 10)
        }

        /// A number in JSON's grammar.
        mutating func number() -> Bool {
            if peek == UInt8(ascii: "-") { i += 1 }
            guard i < n else { return false }
            if b[i] == UInt8(ascii: "0") { i += 1 } else {
                guard b[i] >= 0x31 && b[i] <= 0x39 else { return false }
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard i < n, b[i] >= 0x30 && b[i] <= 0x39 else { return false }
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard i < n, b[i] >= 0x30 && b[i] <= 0x39 else { return false }
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            }
            return true
        }

        /// A non-negative integer literal of at most 15 digits, not followed by a fraction or
        /// an exponent (those go the general way).
        mutating func integer() -> Int? {
            var v = 0, digits = 0
            if peek == UInt8(ascii: "0") {
                i += 1; digits = 1
            } else {
                while i < n, b[i] >= 0x30 && b[i] <= 0x39 {
                    v = v * 10 + Int(b[i] - 0x30); digits += 1; i += 1
                    if digits > 15 { return nil }
                }
            }
            guard digits > 0, peek != UInt8(ascii: "."), peek != UInt8(ascii: "e"), peek != UInt8(ascii: "E"),
                  !(peek >= 0x30 && peek <= 0x39) else { return nil }
            return v
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount, p = word.utf8Start
            guard i + count <= n else { return false }
            for k in 0..<count where b[i + k] != p[k] { return false }
            i += count
            return true
        }
    }
}
