/// Per-channel mean and standard deviation of images in [0, 1] (after `ToTensor`).
public struct ChannelStatistics: Codable, Equatable, Sendable {
    public var mean: [Double]
    public var std: [Double]

    public init(mean: [Double], std: [Double]) { self.mean = mean; self.std = std }

    /// One image's channel means and standard deviations (`img.mean([1, 2])`, `img.std([1, 2])`
    /// in PyTorch: the std is the unbiased sample std, as `torch.std` by default), always for
    /// the RGB view of the image, as torchvision sees a photo after `convert("RGB")`: a grey
    /// image gives its grey figures for R, G and B.
    public init(of image: Image) {
        let n = image.width * image.height, c = image.channels
        let used = min(c, 3)
        var sum = [Double](repeating: 0, count: used), sq = [Double](repeating: 0, count: used)
        image.pixels.withUnsafeBufferPointer { px in
            for i in 0..<n {
                for k in 0..<used {
                    let v = Double(px[i * c + k]) / 255
                    sum[k] += v; sq[k] += v * v
                }
            }
        }
        let grey = used < 3   // 1 (grey) or 2 (grey + alpha) channels
        let channels = grey ? [Int](repeating: 0, count: 3) : [0, 1, 2]
        mean = channels.map { sum[$0] / Double(max(n, 1)) }
        std = channels.map { k in
            n > 1 ? max(0, (sq[k] - sum[k] * sum[k] / Double(n)) / Double(n - 1)).squareRoot() : 0
        }
    }
}

/// Accumulates a folder's normalisation figures both ways.
public struct NormalizationAccumulator: Sendable {
    private var meanSum: [Double] = [], stdSum: [Double] = []
    private var pixelSum: [Double] = [], pixelSquares: [Double] = []
    private var pixels = 0
    public private(set) var images = 0

    public init() {}

    /// Adds one image.
    public mutating func add(_ image: Image) {
        add(ChannelStatistics(of: image), pixels: image.width * image.height)
    }

    /// Adds one image's statistics (for pooled figures, `pixels` is its pixel count).
    /// Every image is counted in each channel: a statistic with fewer channels than the first
    /// one added (a grey image's) counts its first channel for the missing ones.
    public mutating func add(_ s: ChannelStatistics, pixels n: Int) {
        guard !s.mean.isEmpty, s.mean.count == s.std.count else { return }
        if meanSum.isEmpty {
            let c = s.mean.count
            meanSum = .init(repeating: 0, count: c); stdSum = meanSum; pixelSum = meanSum; pixelSquares = meanSum
        }
        for k in meanSum.indices {
            let j = k < s.mean.count ? k : 0
            let m = s.mean[j], sd = s.std[j]
            meanSum[k] += m; stdSum[k] += sd
            pixelSum[k] += m * Double(n)
            // Recover Σv² from the unbiased std: (n − 1)·std² + n·mean².
            pixelSquares[k] += Double(n - 1) * sd * sd + Double(n) * m * m
        }
        pixels += n; images += 1
    }

    /// The seed's figures: the mean over images of each image's channel mean, and likewise std.
    public var meanOfImages: ChannelStatistics {
        ChannelStatistics(mean: meanSum.map { $0 / Double(max(images, 1)) }, std: stdSum.map { $0 / Double(max(images, 1)) })
    }

    /// The exact mean and (population) std over all pixels of all images.
    public var pooled: ChannelStatistics {
        let n = Double(max(pixels, 1))
        let mean = pixelSum.map { $0 / n }
        return ChannelStatistics(mean: mean, std: zip(pixelSquares, mean).map { max(0, $0 / n - $1 * $1).squareRoot() })
    }
}

/// Tukey's rule: values outside [Q1 − k·IQR, Q3 + k·IQR] (k = 1.5) are flagged.
public struct InterquartileRule: Codable, Equatable, Sendable {
    public let q1: Double, q3: Double, k: Double

    /// Quartiles with linear interpolation (NumPy's and pandas' default).
    public init(values: [Double], k: Double = 1.5) {
        let sorted = values.sorted()
        q1 = Self.quantile(sorted, 0.25); q3 = Self.quantile(sorted, 0.75); self.k = k
    }

    public var lower: Double { q1 - k * (q3 - q1) }
    public var upper: Double { q3 + k * (q3 - q1) }
    public func flags(_ v: Double) -> Bool { v < lower || v > upper }

    /// The q-quantile of sorted values, linear interpolation between closest ranks.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - Double(lo))
    }
}
