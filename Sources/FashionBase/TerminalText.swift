/// Text from files (photo names, class names in a checkpoint, labels) made safe to print: a
/// control character — an escape sequence that would retitle the terminal, clear the screen or
/// move the cursor — is shown as `\x1B`, never sent to the terminal.
public enum TerminalText {
    /// `text` with every control character but newline and tab written as `\xHH` (C0, DEL and
    /// the C1 range U+0080–U+009F) and a backslash before such an escape kept distinct as `\\`
    /// only when the text holds a control character (ordinary text prints unchanged).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
            } else if scalar == "\\" {
                out += "\\\\"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `scalar` would act on a terminal rather than print: C0 but newline and tab, DEL, C1.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x0A && v != 0x09) || (0x7F...0x9F).contains(v)
    }
}
