/// Bytes of IDX files (the MNIST format) for tests that write Fashion-MNIST folders.
public enum IDXBytes {
    /// An IDX header of unsigned bytes (type 0x08) with `dimensions`, each a big-endian 32-bit count.
    public static func header(_ dimensions: [Int]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xFF) } }
    }
}
