import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Whether a run fits the memory this process may use, decided before it starts: running out
/// mid-run ends in SIGABRT (an allocation failing under `ulimit -v`, or the kernel's OOM
/// killer) with nothing said. The estimate comes from measured peaks (Docs/PERFORMANCE.md:
/// a ResNet-18 training step at 224 px peaks at 461 / 627 / 961 / 1,643 MiB for batch 8 / 16 /
/// 32 / 64 — about 300 MiB plus 21 MiB an image), scaled by the pixels of an image.
public enum MemoryBudget {
    /// The run does not fit: the estimate and the limit it exceeds.
    public struct Insufficient: Error, CustomStringConvertible, Equatable, Sendable {
        /// What was estimated (a training step at 1024 px, batch 16 …).
        public let what: String
        /// Estimated bytes.
        public let needed: Int
        /// Bytes the process may still use.
        public let available: Int
        /// Which limit (`ulimit -v`, the cgroup's memory.max, the machine's free memory).
        public let limit: String
        /// The estimate, the limit and what to change.
        public var description: String {
            "\(what) needs about \(MemoryBudget.format(needed)) but \(MemoryBudget.format(available)) is available (\(limit)): "
                + "lower --batch-size or --image-size, or raise the limit"
        }
    }

    /// Bytes a ResNet-18 training step needs for `batch` images of `imageSize`² pixels (the
    /// measured peak's fit, at least 300 MiB).
    public static func trainingStep(imageSize: Int, batch: Int) -> Int {
        let scale = Double(imageSize * imageSize) / Double(224 * 224)
        return 300 << 20 + Int(Double(batch) * 21.3 * scale * Double(1 << 20))
    }

    /// Bytes a ResNet-18 forward pass without gradients needs for `batch` images (a third of a
    /// training step's per-image share: no activations are kept for a backward pass).
    public static func inference(imageSize: Int, batch: Int) -> Int {
        let scale = Double(imageSize * imageSize) / Double(224 * 224)
        return 250 << 20 + Int(Double(batch) * 7.1 * scale * Double(1 << 20))
    }

    /// Throws ``Insufficient`` when `bytes` (plus `mapped` bytes of files mapped into the
    /// address space, which count against `ulimit -v` only) exceed what this process may use.
    public static func check(_ bytes: Int, mapped: Int = 0, what: String) throws {
        if let (available, limit) = available(mapped: mapped), bytes > available {
            throw Insufficient(what: what, needed: bytes, available: available, limit: limit)
        }
    }

    /// The most this process may still allocate, and the limit that sets it; nil when nothing
    /// can be read (then nothing is refused).
    public static func available(mapped: Int = 0) -> (Int, String)? {
        var candidates: [(Int, String)] = []
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max, let used = ProcessMemory.statusField("VmSize:") {
            candidates.append((Int(limit.rlim_cur) - used - mapped, "ulimit -v \(Int(limit.rlim_cur) / 1024)"))
        }
        if getrlimit(Int32(RLIMIT_DATA.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max, let used = ProcessMemory.statusField("VmData:") {
            candidates.append((Int(limit.rlim_cur) - used, "ulimit -d \(Int(limit.rlim_cur) / 1024)"))
        }
        if let max = number(file: "/sys/fs/cgroup/memory.max"), let current = number(file: "/sys/fs/cgroup/memory.current") {
            candidates.append((max - current, "the cgroup's memory.max"))
        }
        if let free = meminfo("MemAvailable:") {
            candidates.append((free + (meminfo("SwapFree:") ?? 0), "the machine's available memory and swap"))
        }
        return candidates.min { $0.0 < $1.0 }.map { (Swift.max(0, $0.0), $0.1) }
    }

    static func format(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30)) : "\(bytes >> 20) MiB"
    }

    static func text(_ path: String) -> String? {
        (try? ReadableFile.read(URL(fileURLWithPath: path), limit: 1 << 20, what: path)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func number(file: String) -> Int? {
        text(file).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }   // "max" → nil
    }

    /// A `kB` field of a `/proc` file, in bytes.
    static func field(_ name: String, in text: String?) -> Int? {
        guard let line = text?.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return Int(line.dropFirst(name.count).filter(\.isNumber)).map { $0 * 1024 }
    }
    static func meminfo(_ name: String) -> Int? { field(name, in: text("/proc/meminfo")) }
}
