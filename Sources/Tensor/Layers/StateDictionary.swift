/// An ordered name → tensor map with PyTorch's `state_dict` naming and order
/// (per module: parameters, then buffers, modules depth-first).
public struct StateDictionary: Sequence {
    /// The largest magnitude ``Module/load(_:strict:)`` accepts in a parameter or buffer: a
    /// trained network's weights and batch-norm statistics stay far below it, and a 3e38 weight
    /// (finite) would turn every output into NaN.
    public static let largestMagnitude: Float = 1e12

    /// One entry.
    public struct Entry {
        public var name: String
        public var tensor: Tensor
        public var elementType: StateElementType
        public init(name: String, tensor: Tensor, elementType: StateElementType = .float32) {
            self.name = name; self.tensor = tensor; self.elementType = elementType
        }
    }

    /// Entries in order.
    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Adds or replaces an entry.
    public mutating func set(_ name: String, _ tensor: Tensor, elementType: StateElementType = .float32) {
        if let i = index[name] { entries[i] = Entry(name: name, tensor: tensor, elementType: elementType); return }
        index[name] = entries.count
        entries.append(Entry(name: name, tensor: tensor, elementType: elementType))
    }

    /// The tensor stored under `name`.
    public subscript(name: String) -> Tensor? { index[name].map { entries[$0].tensor } }
    /// How the entry `name` is stored (nil when absent).
    public func elementType(of name: String) -> StateElementType? { index[name].map { entries[$0].elementType } }
    /// Names in order.
    public var keys: [String] { entries.map(\.name) }
    public var count: Int { entries.count }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

/// Why a state dictionary could not be loaded into a module.
public enum StateDictionaryError: Error, CustomStringConvertible, Equatable {
    case missingKeys([String])
    case unexpectedKeys([String])
    case shapeMismatch(key: String, expected: [Int], found: [Int])
    case elementTypeMismatch(key: String, expected: StateElementType, found: StateElementType)
    case nonFinite(key: String)
    /// A value no trained network holds: a magnitude past ``StateDictionary/largestMagnitude``
    /// (its products overflow Float to NaN) or a negative batch-norm running variance.
    case outOfRange(key: String, reason: String)

    public var description: String {
        switch self {
        case .missingKeys(let k): return "state dictionary lacks \(k.count) key(s): \(k.prefix(5).joined(separator: ", "))"
        case .unexpectedKeys(let k): return "state dictionary has \(k.count) unexpected key(s): \(k.prefix(5).joined(separator: ", "))"
        case .shapeMismatch(let key, let e, let f): return "\(key): expected shape \(e), found \(f)"
        case .elementTypeMismatch(let key, let e, let f): return "\(key): expected \(e.rawValue) values, found \(f.rawValue)"
        case .nonFinite(let key): return "\(key): holds NaN or infinite values"
        case .outOfRange(let key, let reason): return "\(key): \(reason)"
        }
    }
}

extension Module {
    /// Parameters and buffers by name, ordered as PyTorch orders `state_dict()`.
    public func stateDictionary() -> StateDictionary {
        var d = StateDictionary()
        for (prefix, m) in namedModules {
            for (name, member) in m.reflectedMembers() {
                let full = prefix.isEmpty ? name : "\(prefix).\(name)"
                if let p = member as? Parameter { d.set(full, p.value.detached()) }
            }
            for (name, member) in m.reflectedMembers() {
                let full = prefix.isEmpty ? name : "\(prefix).\(name)"
                if let b = member as? Buffer { d.set(full, b.value.detached(), elementType: b.elementType) }
            }
        }
        return d
    }

    /// Copies values from `state` into parameters and buffers (PyTorch's
    /// `load_state_dict`); `strict` requires exactly the same keys. Nothing is changed
    /// unless every key and shape checks out. As PyTorch's `BatchNorm`, a missing
    /// `num_batches_tracked` is no error (files from before torch 0.4.1, or saved without
    /// buffers of that kind): the counter keeps its value.
    public func load(_ state: StateDictionary, strict: Bool = true) throws {
        let params = namedParameters, buffers = namedBuffers
        let ownKeys = Set(params.map(\.0) + buffers.map(\.0))
        let missing = (params.map(\.0) + buffers.map(\.0)).filter { state[$0] == nil && !$0.hasSuffix("num_batches_tracked") }
        let unexpected = state.keys.filter { !ownKeys.contains($0) }
        if strict && !missing.isEmpty { throw StateDictionaryError.missingKeys(missing) }
        if strict && !unexpected.isEmpty { throw StateDictionaryError.unexpectedKeys(unexpected) }
        for (name, p) in params { if let t = state[name], t.shape != p.shape { throw StateDictionaryError.shapeMismatch(key: name, expected: p.shape, found: t.shape) } }
        for (name, b) in buffers { if let t = state[name], t.count != b.value.count { throw StateDictionaryError.shapeMismatch(key: name, expected: b.value.shape, found: t.shape) } }
        for (name, _) in params {
            if let found = state.elementType(of: name), found != .float32 {
                throw StateDictionaryError.elementTypeMismatch(key: name, expected: .float32, found: found)
            }
        }
        for (name, b) in buffers {
            if let found = state.elementType(of: name), found != b.elementType {
                throw StateDictionaryError.elementTypeMismatch(key: name, expected: b.elementType, found: found)
            }
        }
        for key in params.map(\.0) + buffers.map(\.0) {
            guard let t = state[key] else { continue }
            if !t.scalars.allSatisfy(\.isFinite) { throw StateDictionaryError.nonFinite(key: key) }
            if let big = t.scalars.first(where: { abs($0) > StateDictionary.largestMagnitude }) {
                throw StateDictionaryError.outOfRange(key: key, reason: "holds \(big); values beyond ±\(StateDictionary.largestMagnitude) overflow Float arithmetic to NaN (a corrupted or diverged file?)")
            }
            if key.hasSuffix("running_var"), let negative = t.scalars.first(where: { $0 < 0 }) {
                throw StateDictionaryError.outOfRange(key: key, reason: "a running variance of \(negative); variances are never negative")
            }
        }
        for (name, p) in params { if let t = state[name] { p.assign(t) } }
        for (name, b) in buffers { if let t = state[name] { b.value = t.detached().reshaped(b.value.shape) } }
    }
}
