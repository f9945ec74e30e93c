/// A dense, row-major, contiguous tensor of `Float`, with value semantics over shared
/// storage (copy-on-write) and an optional place in the autograd graph.
///
/// Images are NCHW, as in PyTorch, so weights map one-to-one onto torchvision's
/// `state_dict`. Operations that need gradients record themselves while
/// ``GradMode/isEnabled`` is true and an input ``requiresGrad``.
public struct Tensor: CustomStringConvertible {
    /// The size of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The tensor's node in the autograd graph, or `nil` when it needs no gradient.
    var node: GradNode?

    /// Number of elements (product of ``shape``).
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    // MARK: Creation

    /// A tensor of the given shape with unspecified contents (for kernels that fill it).
    public init(uninitializedShape shape: [Int]) {
        self.shape = shape
        self.storage = TensorStorage(uninitializedCount: Tensor.elementCount(shape))
    }

    /// A tensor of the given shape with every element `value`.
    public init(shape: [Int], repeating value: Float) {
        self.shape = shape
        self.storage = TensorStorage(count: Tensor.elementCount(shape), repeating: value)
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(scalars.count == Tensor.elementCount(shape),
                     "Tensor(shape: \(shape)): \(scalars.count) scalars given, \(Tensor.elementCount(shape)) needed")
        self.shape = shape
        self.storage = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// A 0-d tensor holding `value`.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    init(shape: [Int], storage: TensorStorage) {
        precondition(storage.count == Tensor.elementCount(shape), "Tensor: storage does not match shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// All zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    /// All ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// Product of the dimensions of `shape`.
    public static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "Tensor: negative dimension in shape \(shape)")
            n *= d
        }
        return n
    }

    // MARK: Element access

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements")
        return storage.pointer[0]
    }

    /// Element at a multi-dimensional index.
    public subscript(index: Int...) -> Float {
        get { storage.pointer[offset(of: index)] }
        set {
            let o = offset(of: index)
            withUnsafeMutableBufferPointer { $0[o] = newValue }
        }
    }

    private func offset(of index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) does not match shape \(shape)")
        var o = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "Tensor: index \(index) out of range for shape \(shape)")
            o = o * d + i
        }
        return o
    }

    /// Reads the elements through a buffer pointer.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Mutates the elements in place, copying the storage first if another tensor shares it.
    /// The mutation is invisible to autograd: use it for data, parameters under an
    /// optimiser and kernels, not inside a recorded computation.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = TensorStorage(copying: storage) }
        storage.version &+= 1
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Read-only pointer for kernels (valid while `self` lives).
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// The same values without autograd history (shares storage).
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Whether two tensors share one storage.
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    public var description: String {
        let shown = count <= 16 ? scalars.map { "\($0)" }.joined(separator: ", ")
                                : scalars.prefix(8).map { "\($0)" }.joined(separator: ", ") + ", …"
        return "Tensor(shape: \(shape), [\(shown)])"
    }
}
