#if canImport(Glibc)
import Glibc
#endif

/// Resident-memory readings of this process (Linux `/proc/self/status`).
public enum ProcessMemory {
    /// Peak resident set size in bytes (`VmHWM`), or `nil` where unavailable.
    public static func peakResidentBytes() -> Int? { statusField("VmHWM:") }
    /// Current resident set size in bytes (`VmRSS`).
    public static func residentBytes() -> Int? { statusField("VmRSS:") }

    /// Resets the peak to the current size (writes 5 to `/proc/self/clear_refs`); returns success.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let f = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(f) }
        return fputs("5", f) >= 0
    }

    /// A `kB` field of `/proc/self/status` (`VmHWM:`, `VmSize:` …) in bytes.
    static func statusField(_ name: String) -> Int? {
        guard let f = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let s = String(cString: line)
            if s.hasPrefix(name) {
                let digits = s.dropFirst(name.count).filter(\.isNumber)
                return Int(digits).map { $0 * 1024 }
            }
        }
        return nil
    }
}
