/// Max, average and global average pooling over N×C×H×W tensors.
extension Tensor {
    private func poolGeometry(_ name: String, kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int)) -> PoolingKernels.Geometry {
        precondition(rank == 4, "\(name): input must be N×C×H×W, got \(shape)")
        let st = stride ?? kernel
        precondition(kernel.0 > 0 && kernel.1 > 0 && st.0 > 0 && st.1 > 0, "\(name): bad kernel \(kernel) or stride \(st)")
        precondition(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1, "\(name): padding \(padding) must be at most half the kernel \(kernel)")
        let g = PoolingKernels.Geometry(planes: shape[0] * shape[1], height: shape[2], width: shape[3],
                                        kernel: kernel, stride: st, padding: padding)
        // Not g.outHeight > 0: (h + 2p − k) / s + 1 truncates −1 / 2 to 0 and would say 1.
        precondition(shape[2] + 2 * padding.0 >= kernel.0 && shape[3] + 2 * padding.1 >= kernel.1,
                     "\(name): kernel \(kernel) larger than the padded input \(shape)")
        return g
    }

    /// `torch.nn.functional.max_pool2d` (floor mode; padding is −∞). The gradient goes
    /// to the first maximum of each window.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let g = poolGeometry("maxPool2d", kernel: kernel, stride: stride, padding: padding)
        var y = Tensor(uninitializedShape: [shape[0], shape[1], g.outHeight, g.outWidth])
        let argmax = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, y.count))
        PoolingKernels.maxForward(pointer, y.pointer, argmax: argmax, g)
        guard GradMode.isEnabled && requiresGrad else { argmax.deallocate(); return y }
        let indices = IndexBuffer(argmax)
        let inShape = shape
        Tensor.record("maxPool2d", &y, inputs: [self]) { dy in
            let dx = Tensor(uninitializedShape: inShape)
            PoolingKernels.maxBackward(dy.pointer, argmax: indices.pointer, dx.pointer, g)
            return [dx]
        }
        return y
    }

    /// `torch.nn.functional.avg_pool2d` (floor mode, `count_include_pad=True`).
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let g = poolGeometry("avgPool2d", kernel: kernel, stride: stride, padding: padding)
        var y = Tensor(uninitializedShape: [shape[0], shape[1], g.outHeight, g.outWidth])
        PoolingKernels.averageForward(pointer, y.pointer, g)
        let inShape = shape
        Tensor.record("avgPool2d", &y, inputs: [self]) { dy in
            let dx = Tensor(uninitializedShape: inShape)
            PoolingKernels.averageBackward(dy.pointer, dx.pointer, g)
            return [dx]
        }
        return y
    }

    /// `adaptive_avg_pool2d(x, 1)`: the mean of each plane, N×C×1×1.
    public func adaptiveAvgPool2dToOne() -> Tensor {
        precondition(rank == 4, "adaptiveAvgPool2d: input must be N×C×H×W, got \(shape)")
        let planes = shape[0] * shape[1], hw = shape[2] * shape[3]
        var y = Tensor(uninitializedShape: [shape[0], shape[1], 1, 1])
        let x = pointer, out = y.pointer
        let scale = 1 / Float(hw)
        Threading.parallelFor(planes, minimumGrain: max(1, 4096 / max(hw, 1))) { pl in
            var s: Float = 0
            for i in 0..<hw { s += x[pl * hw + i] }
            out[pl] = s * scale
        }
        let inShape = shape
        Tensor.record("adaptiveAvgPool2d", &y, inputs: [self]) { dy in
            let dx = Tensor(uninitializedShape: inShape)
            let d = dx.pointer, gy = dy.pointer
            Threading.parallelFor(planes, minimumGrain: max(1, 4096 / max(hw, 1))) { pl in
                (d + pl * hw).update(repeating: gy[pl] * scale, count: hw)
            }
            return [dx]
        }
        return y
    }
}

/// Owns the argmax indices saved by max pooling for its backward pass.
final class IndexBuffer {
    let pointer: UnsafeMutablePointer<Int32>
    init(_ pointer: UnsafeMutablePointer<Int32>) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}
