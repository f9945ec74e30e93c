/// FNV-1a 64: a short, stable signature of bytes or words — what the processes of a
/// data-parallel job compare to find that they read different data or hold different
/// weights (not a cryptographic hash).
public struct Fingerprint: Equatable, Sendable, CustomStringConvertible {
    /// The running hash.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    /// The hash of nothing.
    public init() {}

    /// Mixes in `bytes`, one at a time.
    public mutating func combine(bytes: some Sequence<UInt8>) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }

    /// Mixes in the bit patterns of `floats`, one 32-bit word at a time (four times fewer
    /// steps than their bytes; the signature still changes with any bit).
    public mutating func combine(floats: UnsafeBufferPointer<Float>) {
        var h = value
        for f in floats { h = (h ^ UInt64(f.bitPattern)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    /// Mixes in `integers`.
    public mutating func combine(integers: some Sequence<Int>) {
        for i in integers { value = (value ^ UInt64(bitPattern: Int64(i))) &* 0x0000_0100_0000_01B3 }
    }

    /// Mixes in the UTF-8 of `text`.
    public mutating func combine(_ text: String) { combine(bytes: text.utf8) }

    /// The hash in hexadecimal.
    public var description: String { String(value, radix: 16) }
}
