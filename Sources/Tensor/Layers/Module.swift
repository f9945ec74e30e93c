/// A layer or network. Parameters, buffers and submodules are found by reflection over
/// stored properties (`Parameter`, `Buffer`, `Module`, optionals and arrays of them),
/// so no module keeps a hand-written list that can drift; names follow PyTorch's
/// `state_dict` (`layer1.0.conv1.weight`).
public protocol Module: AnyObject {
    /// Training mode (batch norm uses batch statistics, dropout drops); set it on a whole
    /// tree with ``train(_:)`` or ``eval()``.
    var isTraining: Bool { get set }
    /// Direct submodules with their names; the default reflects over stored properties.
    var namedChildren: [(String, Module)] { get }
}

/// A module that maps one tensor to another.
public protocol Layer: Module {
    /// The forward pass.
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Module {
    public var namedChildren: [(String, Module)] {
        reflectedMembers().compactMap { name, value in (value as? Module).map { (name, $0) } }
    }

    /// Stored properties that are parameters, buffers or modules (arrays index as `name.i`).
    func reflectedMembers() -> [(String, AnyObject)] {
        var result: [(String, AnyObject)] = []
        func visit(_ label: String, _ value: Any) {
            switch value {
            case let p as Parameter: result.append((p.key ?? label, p))
            case let b as Buffer: result.append((b.key ?? label, b))
            case let m as Module: result.append((label, m))
            case let array as [Any]:
                for (i, element) in array.enumerated() { visit("\(label).\(i)", element) }
            default:
                let mirror = Mirror(reflecting: value)
                if mirror.displayStyle == .optional, let wrapped = mirror.children.first { visit(label, wrapped.value) }
            }
        }
        var mirror: Mirror? = Mirror(reflecting: self)
        var chain: [Mirror] = []
        while let m = mirror { chain.append(m); mirror = m.superclassMirror }
        for m in chain.reversed() {
            for child in m.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }   // property wrappers, lazy storage
                if label.hasPrefix("$__lazy_storage_$_") { label.removeFirst("$__lazy_storage_$_".count) }
                visit(label, child.value)
            }
        }
        return result
    }

    /// Parameters of this module only (not of submodules).
    private var ownParameters: [(String, Parameter)] {
        reflectedMembers().compactMap { n, v in (v as? Parameter).map { (n, $0) } }
    }
    private var ownBuffers: [(String, Buffer)] {
        reflectedMembers().compactMap { n, v in (v as? Buffer).map { (n, $0) } }
    }

    /// Every module in the tree with its dotted name, this one first as `""`.
    public var namedModules: [(String, Module)] {
        var result: [(String, Module)] = [("", self)]
        for (name, child) in namedChildren {
            for (sub, m) in child.namedModules { result.append((sub.isEmpty ? name : "\(name).\(sub)", m)) }
        }
        return result
    }

    /// All parameters with dotted names, in declaration order (PyTorch's `named_parameters`).
    public var namedParameters: [(String, Parameter)] {
        namedModules.flatMap { prefix, m in m.ownParameters.map { (prefix.isEmpty ? $0 : "\(prefix).\($0)", $1) } }
    }

    /// All parameters.
    public var parameters: [Parameter] { namedParameters.map(\.1) }

    /// All buffers with dotted names.
    public var namedBuffers: [(String, Buffer)] {
        namedModules.flatMap { prefix, m in m.ownBuffers.map { (prefix.isEmpty ? $0 : "\(prefix).\($0)", $1) } }
    }

    /// Sets training mode on every module of the tree.
    public func train(_ on: Bool = true) { for (_, m) in namedModules { m.isTraining = on } }
    /// Sets evaluation mode on every module of the tree.
    public func eval() { train(false) }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}
