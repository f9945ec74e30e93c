import Dispatch
import Tensor

/// Measures the convolution kernels on ResNet-18's layer shapes, sgemm, and whole
/// ResNet-18 training steps — the figures of `fashion bench kernels`.
public struct KernelBenchmark {
    /// One distinct convolution of ResNet-18.
    public struct ConvolutionCase: Sendable {
        public let name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int, inputSize: Int, count: Int
        public var padding: Int { kernel / 2 }
    }

    /// Timing of one convolution case.
    public struct LayerResult: Codable, Sendable {
        public let name: String
        public let kernel: Int, stride: Int, count: Int
        public let fwd_gflops: Double, bwd_input_gflops: Double, bwd_weight_gflops: Double
        public let fwd_ms: Double, bwd_input_ms: Double, bwd_weight_ms: Double
        /// sgemm 1024³ measured right after this row, the yardstick of its percentages (a
        /// shared machine's speed drifts within one run).
        public var sgemm_gflops: Double = 0
        /// The kernels that ran (`ConvolutionPlan`'s description: one path, or one per pass).
        public var plan: String? = nil
    }

    /// Throughput of whole training steps at one batch size.
    public struct TrainResult: Codable, Sendable {
        public let batch: Int
        public let images_per_second: Double
        public let step_seconds: Double
        public let peak_rss_bytes: Int
    }

    /// Everything one run measured (the JSON of `fashion bench kernels --json`).
    public struct Report: Codable, Sendable {
        public var sgemm_gflops: Double
        public var layers: [LayerResult]
        public var train: [TrainResult]
        public var threads: Int
        public var image_size: Int
        public var conv_batch: Int
        /// OpenBLAS's kernels in this run (`BLASCore/current`), e.g. `Haswell`.
        public var blas_core: String?
        /// The planner's settings in this run, e.g. `auto, current kernels`.
        public var conv_settings: String?
    }

    /// ResNet-18's distinct convolutions at 224×224 (`count` = how many times each occurs).
    public static let resnet18Convolutions: [ConvolutionCase] = [
        .init(name: "conv1", inChannels: 3, outChannels: 64, kernel: 7, stride: 2, inputSize: 224, count: 1),
        .init(name: "layer1 3x3", inChannels: 64, outChannels: 64, kernel: 3, stride: 1, inputSize: 56, count: 4),
        .init(name: "layer2.0.conv1 3x3/2", inChannels: 64, outChannels: 128, kernel: 3, stride: 2, inputSize: 56, count: 1),
        .init(name: "layer2 3x3", inChannels: 128, outChannels: 128, kernel: 3, stride: 1, inputSize: 28, count: 3),
        .init(name: "layer2.0.downsample 1x1/2", inChannels: 64, outChannels: 128, kernel: 1, stride: 2, inputSize: 56, count: 1),
        .init(name: "layer3.0.conv1 3x3/2", inChannels: 128, outChannels: 256, kernel: 3, stride: 2, inputSize: 28, count: 1),
        .init(name: "layer3 3x3", inChannels: 256, outChannels: 256, kernel: 3, stride: 1, inputSize: 14, count: 3),
        .init(name: "layer3.0.downsample 1x1/2", inChannels: 128, outChannels: 256, kernel: 1, stride: 2, inputSize: 28, count: 1),
        .init(name: "layer4.0.conv1 3x3/2", inChannels: 256, outChannels: 512, kernel: 3, stride: 2, inputSize: 14, count: 1),
        .init(name: "layer4 3x3", inChannels: 512, outChannels: 512, kernel: 3, stride: 1, inputSize: 7, count: 3),
        .init(name: "layer4.0.downsample 1x1/2", inChannels: 256, outChannels: 512, kernel: 1, stride: 2, inputSize: 14, count: 1),
    ]

    public var convolutionBatch = 16
    public var trainBatches = [16, 32]
    public var imageSize = 224
    public var trainSteps = 3
    public var repetitions = 3
    /// When set, only the convolutions whose name contains it are measured.
    public var layerFilter: String?

    public init() {}

    /// Best wall time in seconds of `repetitions` runs of `body` after one warm-up.
    func time(_ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }

    /// GFLOP/s of a 1024³ sgemm.
    public func sgemmGFLOPS(size n: Int = 1024) -> Double {
        var g = RandomGenerator(seed: 1)
        let a = Initializer.uniform([n, n], bound: 1, generator: &g), b = Initializer.uniform([n, n], bound: 1, generator: &g)
        var c = Tensor.zeros([n, n])
        let seconds = a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            time { GEMM.sgemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n) }
        }}}
        return 2 * Double(n * n * n) / seconds / 1e9
    }

    /// Forward, input-gradient and weight-gradient timings of one case.
    public func measure(_ c: ConvolutionCase) -> LayerResult {
        let geometry = ConvolutionGeometry(batch: convolutionBatch, inChannels: c.inChannels, height: c.inputSize, width: c.inputSize,
                                           outChannels: c.outChannels, kernelHeight: c.kernel, kernelWidth: c.kernel,
                                           stride: (c.stride, c.stride), padding: (c.padding, c.padding), precision: Autocast.precision)
        var g = RandomGenerator(seed: 2)
        let x = Initializer.uniform([geometry.batch, c.inChannels, c.inputSize, c.inputSize], bound: 1, generator: &g)
        let w = Initializer.uniform([c.outChannels, c.inChannels, c.kernel, c.kernel], bound: 0.1, generator: &g)
        let dy = Initializer.uniform([geometry.batch, c.outChannels, geometry.outHeight, geometry.outWidth], bound: 1, generator: &g)
        var y = Tensor.zeros(dy.shape), dx = Tensor.zeros(x.shape), dw = Tensor.zeros(w.shape)
        let flops = 2 * Double(geometry.multiplyAdds)
        let (tf, ti, tw): (Double, Double, Double) = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { gp in
            y.withUnsafeMutableBufferPointer { yp in dx.withUnsafeMutableBufferPointer { dxp in dw.withUnsafeMutableBufferPointer { dwp in
                let tf = time { ConvolutionKernels.forward(xp.baseAddress!, weight: wp.baseAddress!, bias: nil, yp.baseAddress!, geometry) }
                let ti = time { ConvolutionKernels.backwardInput(gp.baseAddress!, weight: wp.baseAddress!, dxp.baseAddress!, geometry) }
                let tw = time { ConvolutionKernels.backwardWeight(gp.baseAddress!, xp.baseAddress!, dweight: dwp.baseAddress!, dbias: nil, geometry) }
                return (tf, ti, tw)
            }}}
        }}}
        return LayerResult(name: c.name, kernel: c.kernel, stride: c.stride, count: c.count,
                           fwd_gflops: flops / tf / 1e9, bwd_input_gflops: flops / ti / 1e9, bwd_weight_gflops: flops / tw / 1e9,
                           fwd_ms: tf * 1e3, bwd_input_ms: ti * 1e3, bwd_weight_ms: tw * 1e3, plan: ConvolutionPlan(geometry).description)
    }

    /// The cost of a downsample where ResNet computes it, next to its block's `conv1` from
    /// the same columns (`ConvolutionKernels.forward(_:weight:bias:_:_:projectionWeight:projectionBias:_:projectionChannels:)`
    /// and its backward kernels): each pass of the pair minus the same pass of `conv1` alone —
    /// the median over `2 × repetitions` (at least 5) back-to-back pairs of runs. The row is
    /// named `<downsample>, as run` (shared columns on layer2, apart on layer3 and layer4).
    public func measurePaired(_ c: ConvolutionCase, with main: ConvolutionCase) -> LayerResult {
        let g = ConvolutionGeometry(batch: convolutionBatch, inChannels: main.inChannels, height: main.inputSize, width: main.inputSize,
                                    outChannels: main.outChannels, kernelHeight: main.kernel, kernelWidth: main.kernel,
                                    stride: (main.stride, main.stride), padding: (main.padding, main.padding),
                                    precision: Autocast.precision)
        let o2 = c.outChannels
        var r = RandomGenerator(seed: 2)
        let x = Initializer.uniform([g.batch, g.inChannels, g.height, g.width], bound: 1, generator: &r)
        let w = Initializer.uniform([g.outChannels, g.inChannels, g.kernelHeight, g.kernelWidth], bound: 0.1, generator: &r)
        let q = Initializer.uniform([o2, g.inChannels, 1, 1], bound: 0.1, generator: &r)
        let dy = Initializer.uniform([g.batch, g.outChannels, g.outHeight, g.outWidth], bound: 1, generator: &r)
        let dq = Initializer.uniform([g.batch, o2, g.outHeight, g.outWidth], bound: 1, generator: &r)
        var y = Tensor.zeros(dy.shape), z = Tensor.zeros(dq.shape), dx = Tensor.zeros(x.shape)
        var dw = Tensor.zeros(w.shape), dqw = Tensor.zeros(q.shape)
        let flops = 2 * Double(g.batch * o2 * g.outPlane * g.inChannels)
        let (tf, ti, tw): (Double, Double, Double) = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in
            q.withUnsafeBufferPointer { qp in dy.withUnsafeBufferPointer { gp in dq.withUnsafeBufferPointer { gq in
            y.withUnsafeMutableBufferPointer { yp in z.withUnsafeMutableBufferPointer { zp in dx.withUnsafeMutableBufferPointer { dxp in
            dw.withUnsafeMutableBufferPointer { dwp in dqw.withUnsafeMutableBufferPointer { dqp in
                let (x, w, q, dy, dq) = (xp.baseAddress!, wp.baseAddress!, qp.baseAddress!, gp.baseAddress!, gq.baseAddress!)
                let (y, z, dx, dw, dqw) = (yp.baseAddress!, zp.baseAddress!, dxp.baseAddress!, dwp.baseAddress!, dqp.baseAddress!)
                // The median of paired-minus-alone over back-to-back runs: both runs of a pair see
                // the same machine speed, and one disturbed pair does not move the median.
                func marginal(alone: () -> Void, paired: () -> Void) -> Double {
                    alone(); paired()
                    let differences = (0..<max(5, 2 * repetitions)).map { _ in timeOnce(paired) - timeOnce(alone) }.sorted()
                    let m = differences.count / 2
                    let median = differences.count % 2 == 1 ? differences[m] : (differences[m - 1] + differences[m]) / 2
                    return max(1e-9, median)
                }
                let tf = marginal(alone: { ConvolutionKernels.forward(x, weight: w, bias: nil, y, g) },
                                  paired: { ConvolutionKernels.forward(x, weight: w, bias: nil, y, g, projectionWeight: q, projectionBias: nil,
                                                                       z, projectionChannels: o2) })
                let ti = marginal(alone: { ConvolutionKernels.backwardInput(dy, weight: w, dx, g) },
                                  paired: { ConvolutionKernels.backwardInput(dy, weight: w, projectionDY: dq, projectionWeight: q,
                                                                             projectionChannels: o2, dx, g) })
                let tw = marginal(alone: { ConvolutionKernels.backwardWeight(dy, x, dweight: dw, dbias: nil, g) },
                                  paired: { ConvolutionKernels.backwardWeight(dy, x, dweight: dw, dbias: nil, projectionDY: dq, projectionDWeight: dqw,
                                                                              projectionDBias: nil, projectionChannels: o2, g) })
                return (tf, ti, tw)
            }}}}}}}}}}
        let pairPlan = ConvolutionPlan(g)
        let plan = pairPlan.sharesColumnsWithProjection
            ? "columns of \(main.name.prefix { $0 != " " })" + (pairPlan.sharesInputGradientWithProjection ? "" : " (input gradient apart)")
            : "apart: " + ConvolutionPlan(g.projection(outChannels: o2)).description
        return LayerResult(name: c.name.prefix { $0 != " " } + ", as run", kernel: c.kernel, stride: c.stride, count: c.count,
                           fwd_gflops: flops / tf / 1e9, bwd_input_gflops: flops / ti / 1e9, bwd_weight_gflops: flops / tw / 1e9,
                           fwd_ms: tf * 1e3, bwd_input_ms: ti * 1e3, bwd_weight_ms: tw * 1e3, plan: plan)
    }

    /// Wall time in seconds of one run of `body`.
    func timeOnce(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// Images per second of full ResNet-18 training steps (forward, cross-entropy,
    /// backward, Adam) at `batch`, 31 classes, and the peak resident memory meanwhile.
    public func measureTraining(batch: Int) -> TrainResult {
        StorageCache.shared.releaseAll()
        ProcessMemory.resetPeak()
        let model = ResNet18(classes: 31)
        let optimizer = Adam(model.parameters)
        var g = RandomGenerator(seed: 3)
        let x = Initializer.uniform([batch, 3, imageSize, imageSize], bound: 1, generator: &g)
        let targets = (0..<batch).map { $0 % 31 }
        func step() {
            optimizer.zeroGrad()
            let loss = softmaxCrossEntropy(logits: model(x), targets: targets)
            loss.backward()
            optimizer.step()
        }
        step()   // warm-up: workspaces, optimiser state, page faults
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<max(1, trainSteps) { step() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(max(1, trainSteps))
        return TrainResult(batch: batch, images_per_second: Double(batch) / seconds, step_seconds: seconds,
                           peak_rss_bytes: ProcessMemory.peakResidentBytes() ?? 0)
    }

    /// Runs everything; `progress` receives a line per finished measurement.
    public func run(progress: (String) -> Void = { _ in }) -> Report {
        let sgemm = sgemmGFLOPS()
        progress("sgemm 1024³: \(Int(sgemm)) GFLOP/s")
        var layers: [LayerResult] = []
        for c in Self.resnet18Convolutions where layerFilter.map({ c.name.contains($0) }) ?? true {
            var rows = [measure(c)]
            // A downsample is also measured paired with its block's conv1 (same input and stride).
            if c.kernel == 1, let main = Self.resnet18Convolutions.first(where: {
                $0.kernel == 3 && $0.stride == c.stride && $0.inputSize == c.inputSize && $0.inChannels == c.inChannels
            }) {
                rows.append(measurePaired(c, with: main))
            }
            for var r in rows {
                r.sgemm_gflops = sgemmGFLOPS()
                layers.append(r)
                progress("\(r.name): fwd \(Int(r.fwd_gflops)), bwd input \(Int(r.bwd_input_gflops)), bwd weight \(Int(r.bwd_weight_gflops)) GFLOP/s")
            }
        }
        var train: [TrainResult] = []
        for b in trainBatches {
            let r = measureTraining(batch: b)
            train.append(r)
            progress("train batch \(b): \(r.images_per_second) images/s, peak RSS \(r.peak_rss_bytes / 1_048_576) MiB")
        }
        return Report(sgemm_gflops: sgemm, layers: layers, train: train, threads: Threading.coreCount,
                      image_size: imageSize, conv_batch: convolutionBatch, blas_core: BLASCore.current,
                      conv_settings: "\(ConvolutionPlanner.algorithm.rawValue), \(ConvolutionPlanner.kernels.rawValue) kernels")
    }
}
