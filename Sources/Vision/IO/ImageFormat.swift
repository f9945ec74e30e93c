/// The encoded formats this library reads and writes, recognised by signature, not by name.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpeg, png

    /// The format whose signature starts `bytes`, or `nil`.
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }

    /// The format a file name's extension asks for when writing (`.jpg`/`.jpeg`, `.png`).
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        default: return nil
        }
    }
}
